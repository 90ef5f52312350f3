package dev.kelpie.coordinator.e2e;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.AgentHello;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The port served by several event loops behaves as one: an agent has one connection, and a new one replaces the old
 * one whichever loops the two landed on, without the coordinator ever taking the agent for gone.
 */
class AgentConnectionsTest {

  private static final String AGENT = "loops-host";
  private static final int LOOPS = 3;

  private Fleet fleet;
  private final Set<String> helloThreads = ConcurrentHashMap.newKeySet();
  private final List<JsonObject> links = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    fleet = new Fleet();
    fleet.eventLoops(LOOPS);
    fleet.startCoordinator(vertx -> {
      vertx.eventBus().addOutboundInterceptor(delivery -> {
        if (Addresses.AGENT_HELLO.equals(delivery.message().address())) {
          helloThreads.add(Thread.currentThread().getName());
        }
        delivery.next();
      });
      vertx.eventBus().addInboundInterceptor(delivery -> {
        if (Addresses.GATEWAY_AGENT_LINK.equals(delivery.message().address())) {
          synchronized (links) {
            links.add((JsonObject) delivery.message().body());
          }
        }
        delivery.next();
      });
    }, AGENT);
  }

  @AfterEach
  void stop() {
    fleet.close();
  }

  @Test
  @DisplayName("each new connection of an agent closes its previous one, on whichever event loop it is, and the agent "
    + "stays connected")
  void newReplacesOld() throws Exception {
    RawBridgeClient previous = null;
    for (int i = 0; i < 2 * LOOPS; i++) {
      RawBridgeClient client = RawBridgeClient.connect(fleet.coordinatorPort(), Fleet.TOKEN + AGENT);
      String reply = client.request(Addresses.AGENT_HELLO, new AgentHello(AGENT, "host", "test", List.of(), List.of())
        .toJson());
      assertThat(client.awaitFrame(reply, Duration.ofSeconds(10))).as("hello %d answered", i).isNotNull();
      if (previous != null) {
        assertThat(previous.awaitClosed(Duration.ofSeconds(10))).as("connection %d closed by %d", i - 1, i).isTrue();
        previous.close();
      }
      previous = client;
    }
    assertThat(helloThreads).as("the connections were served by more than one event loop").hasSizeGreaterThan(1);
    assertThat(fleet.agent(AGENT).orElseThrow().getBoolean("connected")).isTrue();
    synchronized (links) {
      assertThat(links).as("no replaced connection told the policy the agent was gone").isEmpty();
    }
    previous.close();
    fleet.await("the last connection's close tells the policy", Duration.ofSeconds(10), () -> {
      synchronized (links) {
        return links.size() == 1;
      }
    });
  }
}
