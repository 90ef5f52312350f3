package dev.kelpie.agent.supervise;

import dev.kelpie.agent.config.AgentConfig;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a service so that it outlives the agent: in a session of its own (a Ctrl-C or a kill of the agent's group
 * does not reach it), stdin from /dev/null and output appended to a log file (never a pipe, which would break when
 * the agent goes away). Blocks briefly: call on a worker.
 */
final class Spawner {

  private static final boolean SETSID = Files.isExecutable(Path.of("/usr/bin/setsid"))
    || Files.isExecutable(Path.of("/bin/setsid"));

  private final Path logDir;

  Spawner(Path stateDir) {
    this.logDir = stateDir.resolve("logs");
  }

  Process spawn(AgentConfig.ServiceSpec service) throws IOException {
    Files.createDirectories(logDir);
    List<String> command = new ArrayList<>();
    if (SETSID) {
      command.add("setsid");
    }
    command.addAll(service.command());
    ProcessBuilder builder = new ProcessBuilder(command)
      .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
      .redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(service.name() + ".log").toFile()));
    if (service.workdir() != null) {
      builder.directory(service.workdir().toFile());
    }
    builder.environment().putAll(service.env());
    return builder.start();
  }

  Path logFile(String service) {
    return logDir.resolve(service + ".log");
  }
}
