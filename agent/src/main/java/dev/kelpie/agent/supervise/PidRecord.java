package dev.kelpie.agent.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The agent's own note of the process it runs for a service: its pid and start time, so a restarted agent adopts
 * exactly that process and never a stranger that was given the same pid later. Also the service's wanted state,
 * so a service a person stopped stays stopped across agent restarts. Blocking file I/O: call on a worker.
 */
final class PidRecord {

  private final Path pidFile;
  private final Path stoppedFile;

  PidRecord(Path stateDir, String service) {
    this.pidFile = stateDir.resolve("pids").resolve(service + ".pid");
    this.stoppedFile = stateDir.resolve("stopped").resolve(service);
  }

  record Entry(long pid, long startTime) {
  }

  Optional<Entry> read() {
    try {
      String[] parts = Files.readString(pidFile).trim().split("\\s+");
      return Optional.of(new Entry(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  void write(long pid, long startTime) throws IOException {
    Files.createDirectories(pidFile.getParent());
    Path temp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
    Files.writeString(temp, pid + " " + startTime + "\n");
    Files.move(temp, pidFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
      java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  void clear() throws IOException {
    Files.deleteIfExists(pidFile);
  }

  boolean stoppedOnPurpose() {
    return Files.exists(stoppedFile);
  }

  void wanted(boolean wanted) throws IOException {
    if (wanted) {
      Files.deleteIfExists(stoppedFile);
    } else {
      Files.createDirectories(stoppedFile.getParent());
      Files.writeString(stoppedFile, "stopped on purpose\n");
    }
  }
}
