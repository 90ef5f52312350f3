package dev.kelpie.cli.local;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.agent.supervise.ProcessTable;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * This host's agent as its files tell it, without asking it or the coordinator: its config (for the services'
 * ports and pidfiles) and its state folder ({@code pids/<service>.pid} holding "pid starttime", the agent's own
 * note of what it runs; {@code wanted/<service>}; {@code logs/<service>.log}).
 */
public final class LocalAgent {

  @Option(names = "--config", paramLabel = "FILE", defaultValue = "${env:KELPIE_AGENT_CONFIG:-/etc/kelpie/agent.yaml}",
    description = "the agent's config, for the services' ports and pidfiles (default: $KELPIE_AGENT_CONFIG, else "
      + "${DEFAULT-VALUE}; skipped when absent)")
  Path config;

  @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "${env:KELPIE_AGENT_STATE_DIR}",
    description = "the agent's state folder (default: $KELPIE_AGENT_STATE_DIR, else the config's agent.stateDir, "
      + "else /var/lib/kelpie)")
  Path stateDir;

  private AgentConfig loaded;

  /** The agent's config, when its file exists (a broken one is an error: it names file, path and problem). */
  public Optional<AgentConfig> config() {
    if (loaded == null && config != null && Files.isRegularFile(config)) {
      loaded = AgentConfig.load(config, System.getenv());
    }
    return Optional.ofNullable(loaded);
  }

  public Path stateDir() {
    if (stateDir != null) {
      return stateDir;
    }
    return config().map(AgentConfig::stateDir).orElse(Path.of("/var/lib/kelpie"));
  }

  public Optional<AgentConfig.ServiceSpec> service(String name) {
    return config().flatMap(c -> c.services().stream().filter(s -> s.name().equals(name)).findFirst());
  }

  /** A service's process as the agent noted it; {@code alive} only when that very process (same start) runs. */
  public record Recorded(String service, long pid, long startTime, boolean alive) {
  }

  public Optional<Recorded> recorded(String service) {
    Path file = stateDir().resolve("pids").resolve(service + ".pid");
    try {
      String[] parts = Files.readString(file).trim().split("\\s+");
      long pid = Long.parseLong(parts[0]);
      long start = Long.parseLong(parts[1]);
      boolean alive = ProcessTable.stat(pid).filter(s -> s.startTime() == start && s.running()).isPresent();
      return Optional.of(new Recorded(service, pid, start, alive));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  public Path pidRecord(String service) {
    return stateDir().resolve("pids").resolve(service + ".pid");
  }

  /** Every service with a pid record, in name order. */
  public List<Recorded> recorded() {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(stateDir().resolve("pids"), "*.pid")) {
      files.forEach(file -> names.add(file.getFileName().toString().replaceFirst("\\.pid$", "")));
    } catch (IOException e) {
      return List.of();
    }
    names.sort(null);
    List<Recorded> records = new ArrayList<>();
    names.forEach(name -> recorded(name).ifPresent(records::add));
    return records;
  }

  /** Whether a person wants the service running ({@code wanted/<service>}; true when never said). */
  public boolean wanted(String service) {
    try {
      return !"false".equals(Files.readString(stateDir().resolve("wanted").resolve(service)).trim());
    } catch (IOException e) {
      return true;
    }
  }

  /** The supervised service {@code pid} belongs to: its recorded process, a descendant, or in its session. */
  public Optional<Recorded> owner(long pid) {
    return recorded().stream().filter(Recorded::alive)
      .filter(r -> ProcessTable.tree(r.pid()).contains(pid)).findFirst();
  }
}
