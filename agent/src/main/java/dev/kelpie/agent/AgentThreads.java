package dev.kelpie.agent;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.shared.message.CheckType;
import io.vertx.core.VertxOptions;

/**
 * The agent's threads, sized to what it watches rather than to Vert.x's server defaults (2 event loops a core, 20
 * workers, 20 internal blocking threads): an idle thread still costs the host a stack and the JVM a thread's
 * bookkeeping. One event loop carries every verticle (nothing on it blocks, and the agent's work is a few
 * timers a second); workers run the blocking parts of probes (an exec probe holds one until its command ends, a
 * process, resources or heartbeat probe holds one for a /proc or stat call), so there is one per such check beyond
 * a small floor, up to Vert.x's own default. Netty's epoll transport where it loads (Linux on x86-64 and arm64): an
 * HTTP probe's fresh connection costs about a tenth less CPU than through the JDK's selector; elsewhere, or where its
 * library cannot be unpacked, the JDK's.
 */
final class AgentThreads {

  static final int WORKER_FLOOR = 2;
  static final int WORKER_CEILING = 20;

  private AgentThreads() {
  }

  static VertxOptions options(AgentConfig config) {
    long blockingChecks = config.checks().stream()
      .filter(check -> !check.type().equals(CheckType.HTTP) && !check.type().equals(CheckType.TCP)).count();
    return new VertxOptions()
      .setPreferNativeTransport(true)
      .setEventLoopPoolSize(1)
      .setWorkerPoolSize((int) Math.min(WORKER_CEILING, WORKER_FLOOR + blockingChecks))
      .setInternalBlockingPoolSize(2);
  }
}
