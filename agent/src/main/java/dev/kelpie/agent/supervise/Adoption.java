package dev.kelpie.agent.supervise;

import dev.kelpie.agent.config.AgentConfig.Adopt;
import dev.kelpie.agent.config.AgentConfig.ServiceSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds the process already running a service: the agent's own pid record first (only if that very process still
 * runs), then the service's adopt rules in order. Blocking: call on a worker.
 */
final class Adoption {

  private Adoption() {
  }

  /** A process taken under supervision, with how it was recognised and its command line, for the ADOPTED event. */
  record Found(ProcessId process, String how, String commandLine, ProcessHandle handle) {
  }

  /** {@code excluded}: pids that may not be adopted by a rule (the agent itself, other services' processes). */
  static Optional<Found> find(ServiceSpec spec, PidRecord record, Set<Long> excluded) {
    Optional<ProcessId> own = record.read().filter(ProcessId::alive);
    if (own.isPresent()) {
      return found(own.get(), "the agent's pid record");
    }
    Adopt adopt = spec.adopt();
    if (adopt == null) {
      return Optional.empty();
    }
    if (adopt.pidfile() != null) {
      Optional<Found> found = pidfile(adopt).filter(pid -> !excluded.contains(pid)).flatMap(ProcessTable::identify)
        .flatMap(id -> found(id, "pidfile " + adopt.pidfile()));
      if (found.isPresent()) {
        return found;
      }
    }
    if (adopt.port() != null) {
      Optional<Found> found = ProcessTable.listener(adopt.port()).filter(pid -> !excluded.contains(pid))
        .flatMap(ProcessTable::identify).flatMap(id -> found(id, "its listener on port " + adopt.port()));
      if (found.isPresent()) {
        return found;
      }
    }
    if (adopt.pattern() != null) {
      return ProcessTable.matching(Pattern.compile(adopt.pattern()), excluded).flatMap(ProcessTable::identify)
        .flatMap(id -> found(id, "its command line matching /" + adopt.pattern() + "/"));
    }
    return Optional.empty();
  }

  private static Optional<Long> pidfile(Adopt adopt) {
    try {
      return Optional.of(Long.parseLong(Files.readString(adopt.pidfile()).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Found> found(ProcessId id, String how) {
    return ProcessHandle.of(id.pid()).map(handle -> new Found(id, how, ProcessTable.commandLine(id.pid()), handle));
  }
}
