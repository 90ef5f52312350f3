package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.policy.CheckPhase;
import dev.kelpie.shared.policy.Durations;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Why a check moved, in words a person reads: the policy's reason with the probe's own words ("3 failures in a row
 * (threshold 3): no answer within 400 ms"), and, for a service that started or stopped, what made it ("restarted by
 * operator olga: deploy", "exited with code 3; started again"). It remembers the last cause per service: a command
 * (the policy's or a person's) or an exit nobody ordered, after which the agent started the service again.
 */
final class TransitionReasons {

  /** A cause older than this explains nothing any more (someone started the service outside Kelpie). */
  private static final Duration CAUSE_LIFETIME = Duration.ofMinutes(5);

  private record Cause(Instant at, String words) {
  }

  private final Map<String, Cause> causes = new HashMap<>();

  /**
   * A command was issued: {@code byPolicy} when a check ordered it ("demo-http: 3 failures in a row ..."), else a
   * person or a script did (its reason already reads "operator olga: deploy").
   */
  void issued(Command command, boolean byPolicy) {
    if (command.action() == Action.DUMP || command.action() == Action.REMEDIATE) {
      return;   // a dump or a remediation leaves the service as it was: it explains no start or stop
    }
    String verb = switch (command.action()) {
      case RESTART -> "restarted";
      case STOP, KILL -> "stopped";
      case START -> "started";
      case DUMP, REMEDIATE -> "looked at";
    };
    String why = command.reason() == null || command.reason().isBlank() ? "someone" : command.reason();
    causes.put(key(command.agentId(), command.service()),
      new Cause(command.issuedAt(), verb + " by " + (byPolicy ? "Kelpie for " : "") + why));
  }

  /** A process event: an exit nobody ordered becomes the cause of the next start. */
  void event(ProcessEvent event) {
    boolean unordered = event.commandId() == null
      && (event.type() == ProcessEventType.EXITED || event.type() == ProcessEventType.KILLED);
    if (unordered) {
      String words = event.detail() != null ? event.detail()
        : event.exitCode() != null ? "exited with code " + event.exitCode() : "exited";
      causes.put(key(event.agentId(), event.service()),
        new Cause(event.time(), "its service " + words + " and was started again"));
    }
  }

  /** Why {@code check} went from {@code before} to {@code phase} at {@code now}; null when nothing is known. */
  String why(String agentId, TrackedCheck check, CheckPhase before, CheckPhase phase, Instant now) {
    String policy = check.state().reason();
    ProbeResult last = check.lastResult();
    return switch (phase) {
      case HEALTHY -> last == null || !last.up() ? policy
        : last.detail() == null || last.detail().isBlank() ? "answered" : "answered: " + last.detail();
      case FAILING, UNHEALTHY, BACKING_OFF, ACTING -> withProbe(policy, last);
      case GAVE_UP -> policy;
      case STARTING -> {
        String cause = cause(agentId, check.service(), now);
        String grace = "grace " + Durations.human(check.state().spec().startupGrace());
        if (cause != null) {
          yield cause + "; " + grace;
        }
        yield before == CheckPhase.ACTING && policy != null ? "restarted: " + policy + "; " + grace
          : "its service started; " + grace;
      }
      case PAUSED -> {
        String cause = cause(agentId, check.service(), now);
        yield cause != null ? cause : "its service was stopped on purpose";
      }
      case UNKNOWN -> policy == null ? "started over" : policy;
    };
  }

  private static String withProbe(String policy, ProbeResult last) {
    String probe = last == null || last.up() || last.detail() == null || last.detail().isBlank() ? null : last.detail();
    if (policy == null) {
      return probe;
    }
    return probe == null || policy.contains(probe) ? policy : policy + ": " + probe;
  }

  private String cause(String agentId, String service, Instant now) {
    if (service == null) {
      return null;
    }
    Cause cause = causes.get(key(agentId, service));
    return cause == null || cause.at() == null || cause.at().plus(CAUSE_LIFETIME).isBefore(now) ? null : cause.words();
  }

  private static String key(String agentId, String service) {
    return agentId + "/" + service;
  }
}
