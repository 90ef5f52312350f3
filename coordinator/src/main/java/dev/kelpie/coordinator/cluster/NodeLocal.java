package dev.kelpie.coordinator.cluster;

import dev.kelpie.shared.bus.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.impl.OutboundDeliveryContext;

/**
 * On a clustered event bus, every message stays on the node that sends it, except what is meant for other nodes
 * (each node's own {@link Addresses#NODE_PREFIX} addresses, dashboard changes, replies). A send that is not local-only
 * asks the cluster manager where the address's consumers are, and that lookup waits on whichever member keeps that
 * part of the map: while a member is frozen, an agent's hello on a healthy node would wait with it. The agents'
 * frames come through the SockJS bridge, whose sends cannot be given options, so this is an outbound interceptor
 * (on Vert.x's own delivery context, the one place the options can still be set).
 */
public final class NodeLocal {

  private static final String REPLY_PREFIX = "__vertx.reply.";

  private NodeLocal() {
  }

  public static void install(EventBus bus) {
    bus.addOutboundInterceptor(context -> {
      String address = context.message().address();
      if (context instanceof OutboundDeliveryContext<?> outbound && address != null && !crossesNodes(address)) {
        outbound.options.setLocalOnly(true);
      }
      context.next();
    });
  }

  static boolean crossesNodes(String address) {
    return address.startsWith(Addresses.NODE_PREFIX) || address.startsWith(REPLY_PREFIX)
      || Addresses.DASHBOARD_CHANGES.equals(address);
  }
}
