package dev.kelpie.agent.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The agent's own note of the process running a service, {@code <stateDir>/pids/<service>.pid} holding "pid
 * starttime", so a restarted agent adopts exactly that process and never a stranger given the same pid later.
 * Blocking file I/O: call on a worker.
 */
final class PidRecord {

  private final Path file;

  PidRecord(Path stateDir, String service) {
    this.file = stateDir.resolve("pids").resolve(service + ".pid");
  }

  Optional<ProcessId> read() {
    try {
      String[] parts = Files.readString(file).trim().split("\\s+");
      return Optional.of(new ProcessId(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  void write(ProcessId process) throws IOException {
    Files.createDirectories(file.getParent());
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temp, process.pid() + " " + process.startTime() + "\n");
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Forgets {@code process}, unless the record already names a newer one. */
  void clear(ProcessId process) throws IOException {
    if (read().filter(process::equals).isPresent()) {
      Files.deleteIfExists(file);
    }
  }
}
