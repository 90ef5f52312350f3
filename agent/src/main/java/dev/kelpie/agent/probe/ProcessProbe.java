package dev.kelpie.agent.probe;

import dev.kelpie.shared.message.ServiceInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Up while the process lives. For a supervised service the supervisor's own knowledge is used (it hears of an exit
 * at once); a pidfile or a command-line pattern is looked up in /proc on a worker thread.
 */
final class ProcessProbe implements Probe {

  private final Vertx vertx;
  private final ProcessTarget target;
  private final Map<String, ServiceInfo> services;
  private final Pattern pattern;

  ProcessProbe(ProcessTarget target, ProbeTools tools) {
    this.vertx = tools.vertx();
    this.target = target;
    this.services = tools.services();
    this.pattern = target.pattern() == null ? null : Pattern.compile(target.pattern());
  }

  @Override
  public Future<Finding> run(Cancellation cancellation) {
    if (target.service() != null) {
      ServiceInfo info = services.get(target.service());
      String says = info == null || info.manager() == null ? null : info.manager().says();
      return Future.succeededFuture(info != null && info.running()
        ? Finding.up("pid " + info.pid() + " running" + (says == null ? "" : "; " + says))
        : Finding.down(target.service() + " is not running" + (says == null ? "" : "; " + says)));
    }
    return vertx.executeBlocking(target.pidfile() != null ? () -> byPidfile(target.pidfile()) : this::byPattern, false);
  }

  private static Finding byPidfile(Path pidfile) {
    try {
      long pid = Long.parseLong(Files.readString(pidfile).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent()
        ? Finding.up("pid " + pid + " running")
        : Finding.down("pid " + pid + " from " + pidfile + " is not running");
    } catch (NumberFormatException e) {
      return Finding.down(pidfile + " does not hold a pid");
    } catch (Exception e) {
      return Finding.down("cannot read " + pidfile + ": " + e.getMessage());
    }
  }

  private Finding byPattern() {
    long self = ProcessHandle.current().pid();
    Optional<ProcessHandle> match = ProcessHandle.allProcesses()
      .filter(p -> p.pid() != self)
      .filter(p -> p.info().commandLine().map(line -> pattern.matcher(line).find()).orElse(false))
      .findFirst();
    return match.map(p -> Finding.up("pid " + p.pid() + " matches"))
      .orElseGet(() -> Finding.down("no process matches /" + pattern + "/"));
  }
}
