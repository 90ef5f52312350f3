package dev.kelpie.shared.rules;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.AgentLink;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.FleetEvent;
import dev.kelpie.shared.message.HelloReply;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.MessageFormatException;
import dev.kelpie.shared.message.PolicySpecJson;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportAck;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * Every message's {@code fromJson}, and the coordinator's first look at an agent's message
 * ({@link AgentMessages#problem}), fed random JSON and mutated real messages: a message is read or refused with a
 * {@link MessageFormatException} naming the field, never anything else; the first look never throws and names a field.
 */
class MessageFuzzTest {

  /** Field names the messages use, so random objects reach deep into the readers. */
  private static final List<String> FIELDS = List.of("agentId", "host", "version", "checks", "services", "id", "type",
    "service", "target", "policy", "labels", "intervalMs", "timeoutMs", "failureThreshold", "successThreshold",
    "startupGraceMs", "waitForFirstHealthy", "startupDeadlineMs", "budget", "restarts", "perMs", "backoff",
    "initialMs", "factor", "maxMs", "resetAfterMs", "restart", "window", "failures", "of", "name", "wanted", "pid",
    "startedAt", "port", "manager", "kind", "seq", "checkId", "time", "outcome", "latencyMs", "detail", "exitCode",
    "signal", "commandId", "action", "status", "durationMs", "sentAt", "reports", "rssBytes", "cpuLoad",
    "eventLoopLagMs", "bufferDepth", "ackSeq", "epoch", "lastSeq", "reason", "issuedAt", "expiresAt", "connected",
    "remote", "state", "seenAt", "problem");

  private static final Map<String, Function<JsonObject, ?>> READERS = Map.ofEntries(
    Map.entry("AgentHello", AgentHello::fromJson),
    Map.entry("CheckSpec", CheckSpec::fromJson),
    Map.entry("ServiceInfo", ServiceInfo::fromJson),
    Map.entry("ServiceInfo.Manager", ServiceInfo.Manager::fromJson),
    Map.entry("PolicySpecJson", PolicySpecJson::fromJson),
    Map.entry("Report", Report::fromJson),
    Map.entry("ProbeResult", ProbeResult::fromJson),
    Map.entry("ProcessEvent", ProcessEvent::fromJson),
    Map.entry("CommandResult", CommandResult::fromJson),
    Map.entry("ReportBatch", ReportBatch::fromJson),
    Map.entry("Keepalive", Keepalive::fromJson),
    Map.entry("ReportAck", ReportAck::fromJson),
    Map.entry("HelloReply", HelloReply::fromJson),
    Map.entry("Command", Command::fromJson),
    Map.entry("AgentLink", AgentLink::fromJson),
    Map.entry("FleetEvent", FleetEvent::fromJson));

  private static final int TRIES = 2_000;

  private static final List<String> ADDRESSES = List.of(Addresses.AGENT_HELLO, Addresses.AGENT_REPORTS,
    Addresses.AGENT_KEEPALIVE);

  @Property(tries = TRIES, edgeCases = EdgeCasesMode.FIRST)
  @Label("every fromJson reads random JSON or refuses it naming the field, and nothing else")
  void randomObjects(@ForAll("readers") String reader, @ForAll("objects") JsonObject json) {
    readOrRefuse(reader, json);
  }

  @Property(tries = TRIES, edgeCases = EdgeCasesMode.FIRST)
  @Label("every fromJson reads a mutated real message or refuses it naming the field, and nothing else")
  void mutatedMessages(@ForAll("readers") String reader, @ForAll("mutatedMessages") JsonObject json) {
    readOrRefuse(reader, json);
  }

  @Property(tries = TRIES, edgeCases = EdgeCasesMode.FIRST)
  @Label("the first look at an agent's message never throws, and a refusal names a field")
  void firstLook(@ForAll("addresses") String address, @ForAll("mutatedOrRandom") JsonObject json) {
    assertThatCode(() -> AgentMessages.problem(address, json)).doesNotThrowAnyException();
    AgentMessages.problem(address, json).ifPresent(problem -> assertThat(problem).contains(": "));
  }

  @Property(tries = TRIES / 2, edgeCases = EdgeCasesMode.FIRST)
  @Label("a real message within the limits passes the first look, and reads back as it was written")
  void realMessagesPass(@ForAll("realMessages") JsonObject json) {
    String address = json.containsKey("checks") ? Addresses.AGENT_HELLO
      : json.containsKey("reports") ? Addresses.AGENT_REPORTS : Addresses.AGENT_KEEPALIVE;
    assertThat(AgentMessages.problem(address, json)).isEmpty();
    Object read = switch (address) {
      case Addresses.AGENT_HELLO -> AgentHello.fromJson(json).toJson();
      case Addresses.AGENT_REPORTS -> ReportBatch.fromJson(json).toJson();
      default -> Keepalive.fromJson(json).toJson();
    };
    assertThat(read).isEqualTo(json);
  }

  private static void readOrRefuse(String reader, JsonObject json) {
    try {
      READERS.get(reader).apply(json);
    } catch (MessageFormatException refused) {
      assertThat(refused.field()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<String> readers() {
    return Arbitraries.of(READERS.keySet());
  }

  @Provide
  Arbitrary<String> addresses() {
    return Arbitraries.of(ADDRESSES);
  }

  @Provide
  Arbitrary<JsonObject> objects() {
    return object(3);
  }

  @Provide
  Arbitrary<JsonObject> mutatedOrRandom() {
    return Arbitraries.oneOf(object(3), mutatedMessages());
  }

  @Provide
  Arbitrary<JsonObject> realMessages() {
    return Arbitraries.oneOf(hellos(), batches(), keepalives()).map(MessageFuzzTest::copy);
  }

  /** A real message with one value somewhere in it replaced, removed or nested wrongly. */
  @Provide
  Arbitrary<JsonObject> mutatedMessages() {
    Arbitrary<JsonObject> real = Arbitraries.oneOf(hellos(), batches(), keepalives(), commands());
    return Combinators.combine(real, Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(0, 2),
      value(2)).as(MessageFuzzTest::mutate);
  }

  static JsonObject mutate(JsonObject message, int where, int how, Object replacement) {
    JsonObject copy = copy(message);
    List<Object[]> slots = new ArrayList<>();
    collect(copy, slots);
    Object[] slot = slots.get(where % slots.size());
    if (slot[0] instanceof JsonObject owner) {
      String key = (String) slot[1];
      switch (how) {
        case 0 -> owner.put(key, replacement);
        case 1 -> owner.remove(key);
        default -> owner.put(key, new JsonArray().add(owner.getValue(key)));
      }
    } else {
      JsonArray owner = (JsonArray) slot[0];
      int index = (Integer) slot[1];
      if (how == 1) {
        owner.remove(index);
      } else {
        owner.set(index, replacement);
      }
    }
    return copy;
  }

  private static void collect(Object node, List<Object[]> slots) {
    if (node instanceof JsonObject object) {
      for (String key : object.fieldNames()) {
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

  private static JsonObject copy(JsonObject json) {
    return new JsonObject(json.encode());
  }

  static Arbitrary<Object> value(int depth) {
    Arbitrary<Object> scalar = Arbitraries.oneOf(
      Arbitraries.strings().ofMaxLength(20).map(s -> (Object) s),
      Arbitraries.of("", "<img src=x onerror=alert(1)>", "x".repeat(Limits.MAX_DETAIL + 1), "http", "up", "down", "result",
        "event", "command-result", "restart", "done", "failed", "NaN").map(s -> (Object) s),
      Arbitraries.longs().map(l -> (Object) l),
      Arbitraries.of(0L, -1L, 1L, Long.MAX_VALUE, Long.MIN_VALUE, 40_000_000L, (long) Integer.MAX_VALUE + 1)
        .map(l -> (Object) l),
      Arbitraries.doubles().map(d -> (Object) d),
      Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, -0.0, 1e308).map(d -> (Object) d),
      Arbitraries.of(true, false).map(b -> (Object) b),
      Arbitraries.just(null));
    if (depth <= 0) {
      return scalar;
    }
    return Arbitraries.frequencyOf(
      net.jqwik.api.Tuple.of(6, scalar),
      net.jqwik.api.Tuple.of(1, object(depth - 1).map(o -> (Object) o)),
      net.jqwik.api.Tuple.of(1, value(depth - 1).list().ofMaxSize(4).map(list -> (Object) new JsonArray(list))));
  }

  static Arbitrary<JsonObject> object(int depth) {
    Arbitrary<String> keys = Arbitraries.oneOf(Arbitraries.of(FIELDS), Arbitraries.strings().ofMaxLength(8));
    return Arbitraries.maps(keys, value(depth)).ofMaxSize(12).map(map -> {
      JsonObject json = new JsonObject();
      map.forEach(json::put);
      return json;
    });
  }

  private static Arbitrary<String> ids() {
    return Arbitraries.strings().withChars("abcxyz019.-_").ofMinLength(1).ofMaxLength(64);
  }

  private static Arbitrary<PolicySpec> policies() {
    return Combinators.combine(Arbitraries.integers().between(1, 10), Arbitraries.integers().between(1, 10_000),
        Arbitraries.longs().between(1, Limits.MAX_DURATION.toMillis()))
      .as((failures, of, millis) -> {
        PolicySpec d = PolicySpec.defaults();
        return new PolicySpec(Duration.ofMillis(millis), d.timeout(), failures, new PolicySpec.Window(
          Math.min(failures, of), of), 1, d.startupGrace(), d.waitForFirstHealthy(), d.startupDeadline(), d.budget(),
          d.backoff(), true);
      });
  }

  private static Arbitrary<JsonObject> hellos() {
    Arbitrary<CheckSpec> checks = Combinators.combine(ids(), ids(), policies())
      .as((id, service, policy) -> new CheckSpec(id, CheckType.HTTP, service, "GET http://x/health", policy,
        Map.of("env", "prod")));
    Arbitrary<ServiceInfo> services = Combinators.combine(ids(), Arbitraries.longs().between(1, 1 << 22))
      .as((name, pid) -> new ServiceInfo(name, true, pid, Instant.ofEpochMilli(1_700_000_000_000L), 8080,
        new ServiceInfo.Manager("systemd", "systemd unit " + name)));
    return Combinators.combine(ids(), checks.list().ofMaxSize(5).uniqueElements(CheckSpec::id),
        services.list().ofMaxSize(3).uniqueElements(ServiceInfo::name))
      .as((agent, c, s) -> new AgentHello(agent, "host-" + agent, "1.0", c, s).toJson());
  }

  private static Arbitrary<JsonObject> batches() {
    Instant now = Instant.ofEpochMilli(1_800_000_000_000L);
    Arbitrary<Report> reports = Arbitraries.oneOf(
      Combinators.combine(ids(), Arbitraries.longs().between(0, 60_000))
        .as((check, latency) -> ProbeResult.down("a", check, now, Duration.ofMillis(latency), "timeout")),
      ids().map(service -> ProcessEvent.of("a", service, now, ProcessEventType.STARTED, 42, null, "started")),
      ids().map(service -> new CommandResult("a", 0, "cmd-1", service, Action.RESTART, CommandStatus.DONE, "ok",
        now, Duration.ofMillis(10), 42L)));
    return Combinators.combine(Arbitraries.longs().between(1, Limits.MAX_SEQ - 100), reports.list().ofMaxSize(6))
      .as((first, list) -> {
        List<Report> numbered = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          numbered.add(list.get(i).withSeq(first + i));
        }
        return new ReportBatch("a", now, numbered).toJson();
      });
  }

  private static Arbitrary<JsonObject> keepalives() {
    return Combinators.combine(Arbitraries.longs().between(0, 1L << 40), Arbitraries.doubles().between(0, 64),
        Arbitraries.integers().between(0, Limits.MAX_OUTBOX))
      .as((rss, cpu, depth) -> new Keepalive("a", Instant.ofEpochMilli(1_800_000_000_000L), rss, cpu, 3, depth)
        .toJson());
  }

  private static Arbitrary<JsonObject> commands() {
    return ids().map(service -> new Command("cmd-" + service, "a", service, Action.RESTART, "3 failures",
      Instant.ofEpochMilli(1_800_000_000_000L), Instant.ofEpochMilli(1_800_000_030_000L), 7).toJson());
  }
}
