package dev.kelpie.coordinator.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.spi.properties.ClusterProperty;
import dev.kelpie.coordinator.config.ClusterSettings;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The cluster manager for coordinators side by side: Hazelcast with Vert.x's own map settings, joined over TCP to the
 * members the YAML lists (never multicast, never cloud discovery), and a log line whenever membership changes.
 */
public final class ClusterMembership {

  private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);

  private ClusterMembership() {
  }

  /** The cluster manager for {@code settings}, which must be enabled. */
  public static ClusterManager manager(ClusterSettings settings) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(settings.name());
    config.setProperty(ClusterProperty.LOGGING_TYPE.getName(), "slf4j");
    config.setProperty(ClusterProperty.PHONE_HOME_ENABLED.getName(), "false");
    // Vert.x leaves the cluster in Kelpie's own shutdown hook; Hazelcast's would pull the ground from under it.
    config.setProperty(ClusterProperty.SHUTDOWNHOOK_ENABLED.getName(), "false");
    config.setProperty(ClusterProperty.WAIT_SECONDS_BEFORE_JOIN.getName(), "1");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(settings.port()).setPortAutoIncrement(false);
    if (settings.host().matches("[0-9.]+")) {
      network.getInterfaces().setEnabled(true).addInterface(settings.host());
    } else {
      network.setPublicAddress(settings.host() + ":" + settings.port());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(settings.members());
    config.addListenerConfig(new ListenerConfig(new Changes(settings.name())));
    return new HazelcastClusterManager(config);
  }

  /** Where Vert.x keeps a member's node id (not the Hazelcast member's own id) among its attributes. */
  private static final String VERTX_NODE_ID = "__vertx.nodeId";

  /**
   * Tells {@code left} and {@code joined} (on Hazelcast's event thread) of each node that leaves or joins, by the node
   * id Vert.x gives it (the one leases name): Vert.x keeps its own single node listener for itself.
   */
  public static void watch(ClusterManager manager, Consumer<String> left, Consumer<String> joined) {
    if (manager instanceof HazelcastClusterManager hazelcast) {
      hazelcast.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
        @Override
        public void memberAdded(MembershipEvent event) {
          joined.accept(nodeId(event.getMember()));
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
          left.accept(nodeId(event.getMember()));
        }
      });
    }
  }

  private static String nodeId(Member member) {
    String id = member.getAttribute(VERTX_NODE_ID);
    return id != null ? id : member.getUuid().toString();
  }

  /** The clustered event bus listens on the cluster's host (any free port); members reach it there. */
  public static EventBusOptions eventBus(ClusterSettings settings) {
    return new EventBusOptions().setHost(settings.host()).setPort(0);
  }

  private record Changes(String name) implements MembershipListener {

    @Override
    public void memberAdded(MembershipEvent event) {
      log.info("cluster {}: member {} joined; {}", name, event.getMember().getAddress(), members(event));
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      log.warn("cluster {}: member {} left; {}", name, event.getMember().getAddress(), members(event));
    }

    private static String members(MembershipEvent event) {
      return event.getMembers().size() + " member(s): " + event.getMembers().stream()
        .map(Member::getAddress).map(Object::toString).collect(Collectors.joining(", ", "[", "]"));
    }
  }
}
