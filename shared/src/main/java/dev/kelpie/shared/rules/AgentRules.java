package dev.kelpie.shared.rules;

import dev.kelpie.shared.config.Identifier;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.Evidence;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.PolicySpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an agent may announce and report, beyond being well-formed JSON: Kelpie names for ids, the caps of
 * {@link Limits}, and a policy that can work. One set of rules for both ends: the agent's config reader refuses a file
 * that breaks them, the coordinator's gateway refuses a message that does. Each problem is "field: problem", the
 * field as the message (or, for a check, the config) spells it.
 */
public final class AgentRules {

  private static final Pattern MANAGER_TYPE = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

  private AgentRules() {
  }

  /** Every problem of a hello: its own fields, the counts, and each check and service under its index. */
  public static List<String> hello(AgentHello hello) {
    List<String> problems = new ArrayList<>();
    id(problems, "agentId", hello.agentId());
    length(problems, "host", hello.host(), Limits.MAX_HOST);
    length(problems, "version", hello.version(), Limits.MAX_VERSION);
    if (hello.checks().size() > Limits.MAX_CHECKS) {
      problems.add("checks: at most " + Limits.MAX_CHECKS + " checks per agent, got " + hello.checks().size());
      return problems;
    }
    if (hello.services().size() > Limits.MAX_SERVICES) {
      problems.add("services: at most " + Limits.MAX_SERVICES + " services per agent, got " + hello.services().size());
      return problems;
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < hello.checks().size(); i++) {
      CheckSpec check = hello.checks().get(i);
      String at = "checks[" + i + "].";
      check(check).forEach(problem -> problems.add(at + problem));
      if (!ids.add(check.id())) {
        problems.add(at + "id: duplicate check id '" + check.id() + "'");
      }
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < hello.services().size(); i++) {
      ServiceInfo service = hello.services().get(i);
      String at = "services[" + i + "].";
      service(service).forEach(problem -> problems.add(at + problem));
      if (!names.add(service.name())) {
        problems.add(at + "name: duplicate service name '" + service.name() + "'");
      }
    }
    memory(problems, hello);
    return problems;
  }

  /** A check as announced; the agent's config reader asks the same of every check it reads. */
  public static List<String> check(CheckSpec check) {
    List<String> problems = new ArrayList<>();
    id(problems, "id", check.id());
    if (check.service() != null) {
      id(problems, "service", check.service());
    }
    if (check.target() != null) {
      length(problems, "target", check.target(), Limits.MAX_TARGET);
    }
    policy(check.policy()).forEach(problem -> problems.add("policy." + problem));
    labels(problems, "labels", check.labels());
    List<String> dependsOn = check.rules().dependsOn();
    if (dependsOn.size() > Limits.MAX_LABELS) {
      problems.add("dependsOn: at most " + Limits.MAX_LABELS + " checks, got " + dependsOn.size());
    } else {
      for (int i = 0; i < dependsOn.size(); i++) {
        String dependency = dependsOn.get(i);
        int slash = dependency.indexOf('/');
        if (slash >= 0) {
          id(problems, "dependsOn[" + i + "]", dependency.substring(0, slash));
        }
        id(problems, "dependsOn[" + i + "]", dependency.substring(slash + 1));
      }
    }
    return problems;
  }

  /** The policy memory an agent hands back after deciding alone: one per announced check, restarts within reason. */
  private static void memory(List<String> problems, AgentHello hello) {
    if (hello.memory().size() > hello.checks().size()) {
      problems.add("memory: at most one per announced check (" + hello.checks().size() + "), got "
        + hello.memory().size());
      return;
    }
    Set<String> announced = new HashSet<>();
    hello.checks().forEach(check -> announced.add(check.id()));
    hello.memory().forEach((checkId, memory) -> {
      if (!announced.contains(checkId)) {
        problems.add("memory." + shorten(checkId) + ": not a check of this hello");
      } else if (memory.restarts().size() > Limits.MAX_COUNT || memory.consecutiveFailures() < 0
        || memory.consecutiveFailures() > Limits.MAX_COUNT * 1_000) {
        problems.add("memory." + checkId + ": restarts or failures out of bounds");
      } else {
        text(problems, "memory." + checkId + ".reason", memory.reason());
        text(problems, "memory." + checkId + ".pendingReason", memory.pendingReason());
      }
    });
    if (hello.decidedUpTo() < 0 || hello.decidedUpTo() > Limits.MAX_SEQ) {
      problems.add("decidedUpTo: must be between 0 and " + Limits.MAX_SEQ + ", got " + hello.decidedUpTo());
    }
  }

  /**
   * A policy that can work ({@link PolicySpec#problems()}) and stays within the caps: counts up to
   * {@link Limits#MAX_COUNT}, durations up to {@link Limits#MAX_DURATION}.
   */
  public static List<String> policy(PolicySpec policy) {
    List<String> problems = new ArrayList<>(policy.problems());
    count(problems, "failureThreshold", policy.failureThreshold());
    count(problems, "successThreshold", policy.successThreshold());
    if (policy.window() != null) {
      count(problems, "window.of", policy.window().of());
    }
    count(problems, "budget.restarts", policy.budget().restarts());
    duration(problems, "interval", policy.interval());
    duration(problems, "timeout", policy.timeout());
    duration(problems, "startupGrace", policy.startupGrace());
    duration(problems, "startupDeadline", policy.startupDeadline());
    duration(problems, "budget.per", policy.budget().per());
    duration(problems, "backoff.initial", policy.backoff().initial());
    duration(problems, "backoff.max", policy.backoff().max());
    duration(problems, "backoff.resetAfter", policy.backoff().resetAfter());
    double factor = policy.backoff().factor();
    if (!Double.isFinite(factor) || factor > Limits.MAX_BACKOFF_FACTOR) {
      problems.add("backoff.factor: must be at most " + (int) Limits.MAX_BACKOFF_FACTOR + ", got " + factor);
    }
    return problems;
  }

  /** Labels: at most {@link Limits#MAX_LABELS}, keys and values of bounded length. */
  public static void labels(List<String> problems, String field, Map<String, String> labels) {
    if (labels.size() > Limits.MAX_LABELS) {
      problems.add(field + ": at most " + Limits.MAX_LABELS + " labels, got " + labels.size());
      return;
    }
    labels.forEach((key, value) -> {
      if (key.isEmpty() || key.length() > Limits.MAX_LABEL_KEY) {
        problems.add(field + ": a label's name must be 1 to " + Limits.MAX_LABEL_KEY + " characters, got "
          + key.length());
      }
      length(problems, field + "." + shorten(key), value, Limits.MAX_LABEL_VALUE);
    });
  }

  public static List<String> service(ServiceInfo service) {
    List<String> problems = new ArrayList<>();
    id(problems, "name", service.name());
    if (service.pid() != null && service.pid() < 1) {
      problems.add("pid: must be at least 1, got " + service.pid());
    }
    if (service.port() != null && (service.port() < 1 || service.port() > 65_535)) {
      problems.add("port: must be between 1 and 65535, got " + service.port());
    }
    if (service.manager() != null) {
      manager(problems, service.manager());
    }
    return problems;
  }

  private static void manager(List<String> problems, ServiceInfo.Manager manager) {
    if (!MANAGER_TYPE.matcher(manager.type()).matches()) {
      problems.add("manager.type: expected a manager's name of up to 32 lowercase letters, digits, '_' or '-', got '"
        + shorten(manager.type()) + "'");
    }
    length(problems, "manager.target", manager.target(), Limits.MAX_MANAGER_TARGET);
    if (manager.state() != null) {
      length(problems, "manager.state", manager.state(), Limits.MAX_MANAGER_STATE);
    }
    if (manager.pid() != null && manager.pid() < 1) {
      problems.add("manager.pid: must be at least 1, got " + manager.pid());
    }
    text(problems, "manager.problem", manager.problem());
  }

  /**
   * Every problem of a batch: its reports, each under its index, in ascending sequence order; and its vitals, as a
   * keepalive's, of the same agent.
   */
  public static List<String> batch(ReportBatch batch) {
    List<String> problems = new ArrayList<>();
    id(problems, "agentId", batch.agentId());
    long previous = 0;
    for (int i = 0; i < batch.reports().size(); i++) {
      Report report = batch.reports().get(i);
      String at = "reports[" + i + "].";
      report(report).forEach(problem -> problems.add(at + problem));
      if (report.seq() <= previous) {
        problems.add(at + "seq: must be above the report before it (" + previous + "), got " + report.seq());
      }
      previous = Math.max(previous, report.seq());
    }
    if (batch.vitals() != null) {
      keepalive(batch.vitals()).forEach(problem -> problems.add("vitals." + problem));
      if (!batch.vitals().agentId().equals(batch.agentId())) {
        problems.add("vitals.agentId: must be the batch's agent '" + batch.agentId() + "', got '"
          + batch.vitals().agentId() + "'");
      }
    }
    return problems;
  }

  public static List<String> report(Report report) {
    List<String> problems = new ArrayList<>();
    if (report.seq() < 1 || report.seq() > Limits.MAX_SEQ) {
      problems.add("seq: must be between 1 and " + Limits.MAX_SEQ + ", got " + report.seq());
    }
    if (report instanceof ProbeResult result) {
      id(problems, "checkId", result.checkId());
      latency(problems, "latencyMs", result.latency());
      text(problems, "detail", result.detail());
    } else if (report instanceof ProcessEvent event) {
      id(problems, "service", event.service());
      if (event.pid() < 0) {
        problems.add("pid: must not be negative, got " + event.pid());
      }
      text(problems, "detail", event.detail());
      if (event.commandId() != null) {
        id(problems, "commandId", event.commandId());
      }
      if (event.signal() != null) {
        length(problems, "signal", event.signal(), Limits.MAX_SIGNAL);
      }
      if (event.manager() != null) {
        manager(problems, event.manager());
      }
    } else if (report instanceof CommandResult result) {
      id(problems, "commandId", result.commandId());
      id(problems, "service", result.service());
      text(problems, "detail", result.detail());
      if (result.pid() != null && result.pid() < 0) {
        problems.add("pid: must not be negative, got " + result.pid());
      }
      if (result.local() != null) {
        id(problems, "local.checkId", result.local().checkId());
        text(problems, "local.reason", result.local().reason());
      }
      if (result.evidence() != null) {
        evidence(problems, result.evidence());
      }
      if (result.remediation() != null) {
        CommandResult.Remediation done = result.remediation();
        if (done.count() < done.ids().size()) {
          problems.add("remediation.count: must be at least its ids (" + done.ids().size() + "), got " + done.count());
        }
        for (int i = 0; i < done.ids().size(); i++) {
          length(problems, "remediation.ids[" + i + "]", done.ids().get(i), Limits.MAX_TARGET);
        }
      }
    }
    return problems;
  }

  public static List<String> keepalive(Keepalive keepalive) {
    List<String> problems = new ArrayList<>();
    id(problems, "agentId", keepalive.agentId());
    if (keepalive.rssBytes() < 0) {
      problems.add("rssBytes: must not be negative, got " + keepalive.rssBytes());
    }
    if (!Double.isFinite(keepalive.cpuLoad()) || keepalive.cpuLoad() < 0) {
      problems.add("cpuLoad: must be a number not below 0, got " + keepalive.cpuLoad());
    }
    if (keepalive.eventLoopLagMillis() < 0) {
      problems.add("eventLoopLagMs: must not be negative, got " + keepalive.eventLoopLagMillis());
    }
    if (keepalive.bufferDepth() < 0 || keepalive.bufferDepth() > Limits.MAX_OUTBOX) {
      problems.add("bufferDepth: must be between 0 and " + Limits.MAX_OUTBOX + ", got " + keepalive.bufferDepth());
    }
    return problems;
  }

  private static void id(List<String> problems, String field, String value) {
    Identifier.problem(value).ifPresent(problem -> problems.add(field + ": " + problem.replace(value, shorten(value))));
  }

  private static void count(List<String> problems, String field, int value) {
    if (value > Limits.MAX_COUNT) {
      problems.add(field + ": must be at most " + Limits.MAX_COUNT + ", got " + value);
    }
  }

  private static void duration(List<String> problems, String field, Duration value) {
    if (value.compareTo(Limits.MAX_DURATION) > 0) {
      problems.add(field + ": must be at most " + Limits.MAX_DURATION.toDays() + " days, got " + value);
    }
  }

  private static void latency(List<String> problems, String field, Duration value) {
    if (value.isNegative() || value.compareTo(Limits.MAX_LATENCY) > 0) {
      problems.add(field + ": must be between 0 and " + Limits.MAX_LATENCY.toMillis() + ", got " + value.toMillis());
    }
  }

  /** The agent cuts its evidence to these sizes (a marker's worth of slack); anything past them is not an agent's. */
  private static void evidence(List<String> problems, Evidence evidence) {
    int slack = 64;
    if (evidence.threadDump() != null) {
      length(problems, "evidence.threadDump", evidence.threadDump(), Evidence.MAX_DUMP_CHARS + slack);
    }
    if (evidence.outputTail() != null) {
      length(problems, "evidence.outputTail", evidence.outputTail(), Evidence.MAX_OUTPUT_CHARS + slack);
    }
    text(problems, "evidence.state", evidence.state());
    text(problems, "evidence.outputSource", evidence.outputSource());
    text(problems, "evidence.heartbeatCheck", evidence.heartbeatCheck());
    if (evidence.missing().size() > 32) {
      problems.add("evidence.missing: at most 32 entries, got " + evidence.missing().size());
    }
    for (int i = 0; i < Math.min(32, evidence.missing().size()); i++) {
      text(problems, "evidence.missing[" + i + "]", evidence.missing().get(i));
    }
  }

  private static void text(List<String> problems, String field, String value) {
    if (value != null) {
      length(problems, field, value, Limits.MAX_DETAIL);
    }
  }

  private static void length(List<String> problems, String field, String value, int max) {
    if (value.length() > max) {
      problems.add(field + ": must be at most " + max + " characters, got " + value.length());
    }
  }

  /** A value as quoted in a problem: never more than 64 characters of what an agent sent. */
  private static String shorten(String value) {
    return value.length() > 64 ? value.substring(0, 64) + "..." : value;
  }
}
