package dev.kelpie.agent.probe;

import dev.kelpie.shared.message.ServiceInfo;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;

import java.time.Clock;
import java.util.Map;

/**
 * What the runner lends its probes: Vert.x, its shared client for connections (TCP, and HTTP's, which speak through
 * Netty's codec on them), the supervisor's view of the services, the clock.
 */
public record ProbeTools(Vertx vertx, NetClient tcp, Map<String, ServiceInfo> services, Clock clock) {
}
