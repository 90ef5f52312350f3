package dev.kelpie.agent.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a person wants a service to run, {@code <stateDir>/wanted/<service>} holding "true" or "false", so an agent
 * restart does not bring back a service that was stopped on purpose. Blocking file I/O: call on a worker.
 */
final class WantedState {

  private final Path file;

  WantedState(Path stateDir, String service) {
    this.file = stateDir.resolve("wanted").resolve(service);
  }

  /** Empty when no command ever set it: then the service's autostart decides. */
  Optional<Boolean> read() {
    try {
      return Optional.of(Boolean.parseBoolean(Files.readString(file).trim()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  void write(boolean wanted) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, wanted + "\n");
  }
}
