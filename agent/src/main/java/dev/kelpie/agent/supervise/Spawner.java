package dev.kelpie.agent.supervise;

import dev.kelpie.agent.config.AgentConfig.ServiceSpec;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a service so that it outlives the agent: in a session of its own (setsid execs, so the pid is the
 * service's; a signal to the agent's group does not reach it), stdin from /dev/null and output appended to
 * {@code <stateDir>/logs/<service>.log}, never a pipe that would break when the agent goes away. Blocks briefly:
 * call on a worker.
 */
final class Spawner {

  private static final boolean SETSID = Files.isExecutable(Path.of("/usr/bin/setsid"))
    || Files.isExecutable(Path.of("/bin/setsid"));

  private final Path logDir;

  Spawner(Path stateDir) {
    this.logDir = stateDir.resolve("logs");
  }

  /** A started process, with the identity recorded for the next agent. */
  record Spawned(Process process, ProcessId id) {
  }

  Spawned spawn(ServiceSpec service, PidRecord record) throws IOException {
    Files.createDirectories(logDir);
    if (service.workdir() != null && !Files.isDirectory(service.workdir())) {
      throw new IOException("working directory " + service.workdir() + " does not exist");
    }
    ProcessBuilder builder = new ProcessBuilder()
      .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
      .redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(service.name()).toFile()));
    if (service.workdir() != null) {
      builder.directory(service.workdir().toFile());
    }
    builder.environment().putAll(service.env());
    // setsid reports a missing program only as exit code 127, after the spawn: look for it first
    executable(service.command().get(0), service.workdir(), builder.environment());
    List<String> command = new ArrayList<>();
    if (SETSID) {
      command.add("setsid");
    }
    command.addAll(service.command());
    Process process = builder.command(command).start();
    ProcessId id = new ProcessId(process.pid(), ProcessTable.stat(process.pid()).map(ProcessTable.Stat::startTime)
      .orElse(-1L));
    record.write(id);
    return new Spawned(process, id);
  }

  Path logFile(String service) {
    return logDir.resolve(service + ".log");
  }

  private static void executable(String program, Path workdir, Map<String, String> env) throws IOException {
    if (program.contains("/")) {
      Path path = workdir == null ? Path.of(program) : workdir.resolve(program);
      if (!Files.isExecutable(path)) {
        throw new IOException("'" + program + "' is not an executable file");
      }
      return;
    }
    for (String dir : env.getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return;
      }
    }
    throw new IOException("no program '" + program + "' in PATH");
  }
}
