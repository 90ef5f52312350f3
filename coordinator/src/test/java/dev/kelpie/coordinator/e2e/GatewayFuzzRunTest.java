package dev.kelpie.coordinator.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded fuzzing run against a live coordinator: for {@code kelpie.fuzz.seconds} (30 by default) an agent sends
 * random and mutated frames (bytes, JSON, bridge envelopes, hellos, report batches with wild sequence numbers, times
 * and forged command results, keepalives), reconnecting whenever it is disconnected, beside a good agent whose
 * service is healthy. Afterwards: no exception reached an event loop, the heap did not grow, the good agent was
 * served throughout, and no command was sent but those the policy decided (the good agent's service was never
 * touched). The seed is printed, so a failing run can be repeated with {@code -Dkelpie.fuzz.seed=...}.
 */
class GatewayFuzzRunTest {

  private static final String GOOD = "good-host";
  private static final String FUZZER = "fuzzer";
  private static final String[] ADDRESSES = {Addresses.AGENT_HELLO, Addresses.AGENT_REPORTS,
    Addresses.AGENT_KEEPALIVE, Addresses.agentCommands(FUZZER), Addresses.agentCommands(GOOD), "kelpie.operator",
    "__vertx.reply.1", ""};
  private static final String[] TYPES = {"send", "publish", "register", "unregister", "ping", "rec", "err", "", "x"};

  private final Queue<Throwable> escaped = new ConcurrentLinkedQueue<>();
  private final ListAppender<ILoggingEvent> errors = new ListAppender<>();
  private Fleet fleet;

  @AfterEach
  void stop() {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(errors);
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  @DisplayName("random and mutated frames for 30 s: nothing escapes to an event loop, memory stays, a good agent is "
    + "served, no command but the policy's")
  void fuzzRun() throws Exception {
    fleet = new Fleet();
    fleet.eventLoops(2);   // the port on two event loops, as a large fleet runs it: one count of connections
    fleet.startCoordinator(vertx -> vertx.exceptionHandler(escaped::add), GOOD, FUZZER);
    int port = Fleet.freePort();
    fleet.startAgent(GOOD, "services:\n  - name: demo\n    command: " + fleet.demoCommand(port) + "\n"
      + "checks:\n  - {id: demo-http, type: http, service: demo, url: \"http://127.0.0.1:" + port + "/health\", "
      + "interval: 500ms}\n");
    fleet.await("the good agent healthy", Duration.ofSeconds(30),
      () -> "healthy".equals(fleet.state(GOOD, "demo-http")));
    Long demoPid = servicePid();
    errors.start();
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(errors);
    long heapBefore = heapAfterGc();

    long seed = Long.getLong("kelpie.fuzz.seed", System.nanoTime());
    Duration run = Duration.ofSeconds(Long.getLong("kelpie.fuzz.seconds", 30));
    Random random = new Random(seed);
    long inputs = 0;
    long connections = 0;
    long goodSeqAtStart = fleet.agent(GOOD).orElseThrow().getLong("lastSeq");
    long deadline = System.nanoTime() + run.toNanos();
    RawBridgeClient client = null;
    while (System.nanoTime() < deadline) {
      if (client == null || client.closed.isDone()) {
        if (client != null) {
          client.close();
        }
        client = RawBridgeClient.connect(fleet.coordinatorPort(), Fleet.TOKEN + FUZZER);
        connections++;
        if (random.nextInt(3) > 0) {
          client.request(Addresses.AGENT_HELLO, hello(random, false));
        }
      }
      if (client.sendRaw(frame(random))) {
        inputs++;
      }
      client.frames.clear();
    }
    if (client != null) {
      client.close();
    }
    System.out.printf("fuzz run: %d inputs over %d connections in %s (seed %d)%n", inputs, connections, run, seed);

    long goodSeqAtEnd = fleet.agent(GOOD).orElseThrow().getLong("lastSeq");
    assertThat(goodSeqAtEnd).as("the good agent's reports were taken during the run").isGreaterThan(goodSeqAtStart + 10);
    fleet.await("the good agent still served", Duration.ofSeconds(15),
      () -> fleet.agent(GOOD).orElseThrow().getLong("lastSeq") > goodSeqAtEnd + 2);
    assertThat(fleet.agent(GOOD).orElseThrow().getBoolean("connected")).isTrue();
    assertThat(fleet.state(GOOD, "demo-http")).isEqualTo("healthy");
    assertThat(servicePid()).as("the good agent's service never restarted").isEqualTo(demoPid);
    assertThat(new JsonObject(fleet.send("GET", "/api/actions?agent=" + GOOD, null).body()).getJsonArray("items"))
      .as("no command for the good agent").isEmpty();
    assertThat(commandsSent()).as("commands sent, each a decision of the policy recorded as an action")
      .isEqualTo(new JsonObject(fleet.send("GET", "/api/actions?agent=" + FUZZER + "&limit=1000", null).body())
        .getJsonArray("items").size());
    assertThat(escaped).as("exceptions that reached an event loop").isEmpty();
    assertThat(errors.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.ERROR))
      .filter(event -> event.getThrowableProxy() != null || event.getFormattedMessage().contains("Unhandled")
        || event.getFormattedMessage().contains("Failure in bridge event handler"))
      .map(ILoggingEvent::getFormattedMessage)).as("failures logged with an exception").isEmpty();
    assertThat(heapAfterGc() - heapBefore).as("heap growth in bytes").isLessThan(64L << 20);
    assertThat(inputs).isGreaterThan(100);
  }

  private static String frame(Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> randomText(random, random.nextInt(200));
      case 1 -> new JsonObject().put("type", pick(random, TYPES)).put("address", pick(random, ADDRESSES))
        .put("body", randomValue(random, 2)).encode();
      case 2 -> new JsonObject().put("type", "send").put("address", Addresses.AGENT_HELLO)
        .put("replyAddress", "r-" + random.nextInt(1000)).put("body", mutate(random, hello(random, true))).encode();
      case 3, 4, 5 -> new JsonObject().put("type", "send").put("address", Addresses.AGENT_REPORTS)
        .put("replyAddress", "r-" + random.nextInt(1000))
        .put("body", random.nextBoolean() ? batch(random) : mutate(random, batch(random))).encode();
      case 6 -> new JsonObject().put("type", "send").put("address", Addresses.AGENT_KEEPALIVE)
        .put("body", mutate(random, new Keepalive(FUZZER, Instant.now(), 1, 0.5, 1, 0).toJson())).encode();
      case 7 -> new JsonObject().put("type", "register").put("address", pick(random, ADDRESSES)).encode();
      case 8 -> new JsonObject().put("type", "ping").encode();
      default -> truncate(random, new JsonObject().put("type", "send").put("address", Addresses.AGENT_REPORTS)
        .put("body", batch(random)).encode());
    };
  }

  private static JsonObject hello(Random random, boolean wild) {
    PolicySpec d = PolicySpec.defaults();
    int of = wild ? random.nextInt(Integer.MAX_VALUE) : 1 + random.nextInt(10);
    PolicySpec policy = new PolicySpec(Duration.ofMillis(500), d.timeout(), 1, new PolicySpec.Window(1, of), 1,
      Duration.ZERO, false, Duration.ZERO, d.budget(), d.backoff(), true);
    List<CheckSpec> checks = new ArrayList<>();
    for (int i = 0; i < (wild ? random.nextInt(1500) : 3); i++) {
      checks.add(new CheckSpec(wild && random.nextInt(5) == 0 ? "<b>" + i : "c" + i, CheckType.HTTP, "svc", "GET /",
        policy));
    }
    return new AgentHello(FUZZER, "fuzz", "1", checks, List.of(new ServiceInfo("svc", true, 9L, Instant.now(), null)))
      .toJson();
  }

  private static JsonObject batch(Random random) {
    Instant now = Instant.now();
    long seq = switch (random.nextInt(4)) {
      case 0 -> Long.MAX_VALUE - random.nextInt(10);
      case 1 -> -random.nextInt(10);
      case 2 -> random.nextLong() & Long.MAX_VALUE;
      default -> 1 + random.nextInt(5_000_000);
    };
    Instant at = random.nextInt(4) == 0 ? Instant.ofEpochMilli(random.nextLong() >> 20) : now;
    List<Report> reports = new ArrayList<>();
    for (int i = 0; i < 1 + random.nextInt(5); i++) {
      Report report = switch (random.nextInt(3)) {
        case 0 -> ProbeResult.down(FUZZER, "c" + random.nextInt(4), at, Duration.ofMillis(random.nextInt(100)), "x");
        case 1 -> ProcessEvent.of(FUZZER, "svc", at, ProcessEventType.values()[random.nextInt(
          ProcessEventType.values().length)], random.nextInt(1 << 20), null, null);
        default -> new CommandResult(FUZZER, 0, "cmd-" + random.nextInt(50), random.nextBoolean() ? "svc" : "demo",
          Action.RESTART, CommandStatus.values()[random.nextInt(CommandStatus.values().length)], "forged", at,
          Duration.ofMillis(random.nextInt(1000) - 500), null);
      };
      reports.add(report.withSeq(seq + i));
    }
    return new ReportBatch(random.nextInt(20) == 0 ? GOOD : FUZZER, at, reports).toJson();
  }

  /** One value somewhere in the message replaced or removed. */
  private static JsonObject mutate(Random random, JsonObject message) {
    if (random.nextInt(3) == 0) {
      return message;
    }
    List<Object[]> slots = new ArrayList<>();
    collect(message, slots);
    Object[] slot = slots.get(random.nextInt(slots.size()));
    if (slot[0] instanceof JsonObject owner) {
      if (random.nextBoolean()) {
        owner.remove((String) slot[1]);
      } else {
        owner.put((String) slot[1], randomValue(random, 1));
      }
    } else {
      ((JsonArray) slot[0]).set((Integer) slot[1], randomValue(random, 1));
    }
    return message;
  }

  private static void collect(Object node, List<Object[]> slots) {
    if (node instanceof JsonObject object) {
      for (String key : List.copyOf(object.fieldNames())) {
        slots.add(new Object[]{object, key});
        collect(object.getValue(key), slots);
      }
    } else if (node instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        slots.add(new Object[]{array, i});
        collect(array.getValue(i), slots);
      }
    }
  }

  private static Object randomValue(Random random, int depth) {
    return switch (random.nextInt(depth > 0 ? 9 : 7)) {
      case 0 -> randomText(random, random.nextInt(30));
      case 1 -> random.nextLong();
      case 2 -> random.nextInt(10) - 3;
      case 3 -> random.nextDouble() * 1e12;
      case 4 -> random.nextBoolean();
      case 5 -> null;
      case 6 -> "<script>" + random.nextInt() + "</script>";
      case 7 -> new JsonObject().put("agentId", FUZZER).put("x", randomValue(random, depth - 1));
      default -> new JsonArray().add(randomValue(random, depth - 1)).add(randomValue(random, depth - 1));
    };
  }

  private static String randomText(Random random, int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((char) (random.nextInt(4) == 0 ? random.nextInt(0x2FFF) : 32 + random.nextInt(95)));
    }
    return text.toString();
  }

  private static String truncate(Random random, String frame) {
    return frame.substring(0, random.nextInt(frame.length()));
  }

  private static String pick(Random random, String[] values) {
    return values[random.nextInt(values.length)];
  }

  private Long servicePid() {
    return fleet.agent(GOOD).orElseThrow().getJsonArray("services").stream().map(JsonObject.class::cast)
      .filter(s -> "demo".equals(s.getString("name"))).findFirst().orElseThrow().getLong("pid");
  }

  private long commandsSent() throws Exception {
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + fleet.coordinatorPort() + "/metrics")).build(),
      HttpResponse.BodyHandlers.ofString()).body();
    return metrics.lines().filter(line -> line.startsWith("kelpie_commands_sent_total{"))
      .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
