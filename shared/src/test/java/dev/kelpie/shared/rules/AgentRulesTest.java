package dev.kelpie.shared.rules;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.Evidence;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.CheckMemory;
import dev.kelpie.shared.policy.CheckRules;
import dev.kelpie.shared.policy.CheckState;
import dev.kelpie.shared.policy.PolicySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules every agent message is held to on the coordinator, and every config on the agent. */
class AgentRulesTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static PolicySpec window(int failures, int of) {
    PolicySpec d = PolicySpec.defaults();
    return new PolicySpec(d.interval(), d.timeout(), d.failureThreshold(), new PolicySpec.Window(failures, of),
      d.successThreshold(), d.startupGrace(), d.waitForFirstHealthy(), d.startupDeadline(), d.budget(), d.backoff(),
      d.restart());
  }

  private static AgentHello hello(List<CheckSpec> checks) {
    return new AgentHello("web-01", "web-01.example", "1.0", checks, List.of());
  }

  @Test
  @DisplayName("the hello bomb: ten checks whose window.of is 40,000,000 are refused, naming the field")
  void helloBomb() {
    List<CheckSpec> checks = IntStream.range(0, 10)
      .mapToObj(i -> new CheckSpec("c" + i, CheckType.HTTP, null, "x", window(3, 40_000_000))).toList();
    assertThat(AgentRules.hello(hello(checks))).hasSize(10)
      .first().isEqualTo("checks[0].policy.window.of: must be at most 10000, got 40000000");
    assertThat(AgentMessages.problem(Addresses.AGENT_HELLO, hello(checks).toJson())).get().asString()
      .startsWith("checks[0].policy.window.of: must be at most 10000").endsWith("; and 7 more");
  }

  @Test
  @DisplayName("ids with HTML in them are refused, naming the field")
  void htmlIds() {
    CheckSpec check = new CheckSpec("<img src=x onerror=alert(1)>", CheckType.HTTP, "<b>svc</b>", "x",
      PolicySpec.defaults());
    assertThat(AgentRules.hello(hello(List.of(check)))).containsExactly(
      "checks[0].id: expected 1 to 64 letters, digits, '.', '_' or '-', got \"<img src=x onerror=alert(1)>\"",
      "checks[0].service: expected 1 to 64 letters, digits, '.', '_' or '-', got \"<b>svc</b>\"");
    ProbeResult result = ProbeResult.up("web-01", "<script>", T0, Duration.ZERO, "").withSeq(1);
    assertThat(AgentRules.batch(new ReportBatch("web-01", T0, List.of(result))))
      .containsExactly("reports[0].checkId: expected 1 to 64 letters, digits, '.', '_' or '-', got \"<script>\"");
  }

  @Test
  @DisplayName("counts, lengths and labels are capped; a quoted value is cut short")
  void caps() {
    List<CheckSpec> many = IntStream.range(0, Limits.MAX_CHECKS + 1)
      .mapToObj(i -> new CheckSpec("c" + i, CheckType.HTTP, null, "x", PolicySpec.defaults())).toList();
    assertThat(AgentRules.hello(hello(many))).containsExactly("checks: at most 1000 checks per agent, got 1001");
    Map<String, String> labels = new HashMap<>();
    IntStream.range(0, 65).forEach(i -> labels.put("k" + i, "v"));
    CheckSpec labelled = new CheckSpec("c", CheckType.HTTP, null, "t".repeat(3000), PolicySpec.defaults(), labels);
    assertThat(AgentRules.check(labelled)).containsExactly("target: must be at most 2048 characters, got 3000",
      "labels: at most 64 labels, got 65");
    assertThat(AgentRules.hello(new AgentHello("x".repeat(100_000), "h", "v", List.of(), List.of())))
      .singleElement().asString().hasSizeLessThan(200);
  }

  @Test
  @DisplayName("a policy is held to what it needs to work and to the caps: durations up to a year, a finite factor")
  void policies() {
    PolicySpec d = PolicySpec.defaults();
    PolicySpec bad = new PolicySpec(Duration.ofDays(400), d.timeout(), 0, null, 1, d.startupGrace(), true,
      d.startupDeadline(), d.budget(), new PolicySpec.Backoff(d.backoff().initial(), Double.POSITIVE_INFINITY,
      d.backoff().max(), d.backoff().resetAfter()), true);
    assertThat(AgentRules.policy(bad)).containsExactly("failureThreshold: must be at least 1, got 0",
      "interval: must be at most 365 days, got PT9600H", "backoff.factor: must be at most 100, got Infinity");
    assertThat(AgentRules.policy(d)).isEmpty();
  }

  @Test
  @DisplayName("reports: sequence numbers positive and ascending, latencies bounded, services and managers named")
  void reports() {
    ProbeResult slow = ProbeResult.up("a", "c", T0, Duration.ofMillis(-5), "").withSeq(0);
    CommandResult result = new CommandResult("a", 7, "cmd 1", "svc", Action.RESTART, CommandStatus.DONE, null, T0,
      Duration.ZERO, null);
    assertThat(AgentRules.batch(new ReportBatch("a", T0, List.of(result, slow)))).containsExactly(
      "reports[0].commandId: expected 1 to 64 letters, digits, '.', '_' or '-', got \"cmd 1\"",
      "reports[1].seq: must be between 1 and 4611686018427387904, got 0",
      "reports[1].latencyMs: must be between 0 and 31622400000, got -5",
      "reports[1].seq: must be above the report before it (7), got 0");
    ServiceInfo service = new ServiceInfo("svc", true, 0L, T0, 70_000, new ServiceInfo.Manager("<x>", "t"));
    assertThat(AgentRules.service(service)).containsExactly("pid: must be at least 1, got 0",
      "port: must be between 1 and 65535, got 70000",
      "manager.type: expected a manager's name of up to 32 lowercase letters, digits, '_' or '-', got '<x>'");
    ServiceInfo.Manager wordy = new ServiceInfo.Manager("supervisord", "t").saying("R".repeat(129), 0L, null, T0);
    assertThat(AgentRules.service(service.withManager(wordy)))
      .contains("manager.state: must be at most 128 characters, got 129", "manager.pid: must be at least 1, got 0");
    assertThat(AgentRules.report(ProcessEvent.exited("a", "svc", T0, 5, 1, null, "gone").withSeq(1)
      .withManager(wordy))).containsExactly("manager.state: must be at most 128 characters, got 129",
      "manager.pid: must be at least 1, got 0");
    assertThat(AgentRules.report(ProcessEvent.exited("a", "svc", T0, 5, 1, null, "gone").withSeq(1)
      .withManager(wordy.saying("EXITED", null, 1, T0)))).isEmpty();
    assertThat(AgentRules.keepalive(new Keepalive("a", T0, -1, Double.NaN, 0, Collections.<Integer>emptyList().size())))
      .containsExactly("rssBytes: must not be negative, got -1", "cpuLoad: must be a number not below 0, got NaN");
  }

  @Test
  @DisplayName("a jump to 2^63-1 is refused; an outbox's worth ahead is taken, more after a long absence")
  void sequence() {
    assertThat(Sequence.problem(10, Long.MAX_VALUE, Duration.ZERO)).get().asString().startsWith("must be between 1");
    assertThat(Sequence.problem(10, 10 + Limits.MAX_OUTBOX, Duration.ZERO)).isEmpty();
    assertThat(Sequence.problem(10, 11 + Limits.MAX_OUTBOX, Duration.ZERO)).get().asString()
      .startsWith("jumps 1000001 past the last report taken (10)");
    assertThat(Sequence.problem(10, 11 + Limits.MAX_OUTBOX, Duration.ofSeconds(1))).isEmpty();
    assertThat(Sequence.problem(0, 123_456_789, Duration.ZERO)).as("nothing taken yet").isEmpty();
    assertThat(Sequence.problem(5, 3, Duration.ZERO)).as("a replay is the policy's to drop").isEmpty();
  }

  @Test
  @DisplayName("times: kept within the skew window; past it at the receipt time less the report's own age")
  void clock() {
    ProbeResult fresh = ProbeResult.up("a", "c", T0.plusSeconds(3600), Duration.ZERO, "").withSeq(1);
    ProbeResult older = ProbeResult.up("a", "c", T0.plusSeconds(3590), Duration.ZERO, "").withSeq(2);
    AgentClock.Taken skewed = AgentClock.take(new ReportBatch("a", T0.plusSeconds(3600), List.of(fresh, older)), T0);
    assertThat(skewed.skewed()).isTrue();
    assertThat(skewed.skew()).isEqualTo(Duration.ofHours(1));
    assertThat(skewed.batch().reports()).extracting(r -> r.time()).containsExactly(T0, T0.minusSeconds(10));

    ProbeResult close = ProbeResult.up("a", "c", T0.minusSeconds(30), Duration.ZERO, "").withSeq(1);
    ReportBatch near = new ReportBatch("a", T0.plusSeconds(60), List.of(close));
    assertThat(AgentClock.take(near, T0).batch()).isSameAs(near);

    CommandResult backwards = new CommandResult("a", 1, "cmd", "svc", Action.RESTART, CommandStatus.DONE, null,
      T0, Duration.ofMillis(-300), null);
    assertThat(((CommandResult) AgentClock.take(new ReportBatch("a", T0, List.of(backwards)), T0).batch().reports()
      .get(0)).duration()).isEqualTo(Duration.ZERO);
  }

  @Test
  @DisplayName("the hand-over memory, dependsOn and a result's evidence are held to the rules too, naming the field")
  void handOverDependenciesAndEvidence() {
    CheckSpec check = new CheckSpec("web", CheckType.HTTP, "svc", "x", PolicySpec.defaults(), Map.of(),
      new CheckRules(List.of("db-host/<b>db</b>"), false, false));
    assertThat(AgentRules.check(check)).anyMatch(problem -> problem.startsWith("dependsOn[0]: "));

    CheckMemory memory = new CheckState(PolicySpec.defaults())
      .memory(T0);
    AgentHello stranger = new AgentHello("web-01", "web-01.example", "1.0",
      List.of(new CheckSpec("web", CheckType.HTTP, null, "x", PolicySpec.defaults())), List.of(),
      Map.of("other", memory), 5);
    assertThat(AgentRules.hello(stranger)).anyMatch(problem -> problem.startsWith("memory.other: not a check"));

    String huge = "x".repeat(Evidence.MAX_DUMP_CHARS + 1_000);
    CommandResult result = new CommandResult("web-01", 1, "c-1", "svc", Action.RESTART, CommandStatus.DONE, "ok", T0,
      Duration.ZERO, 7L).withEvidence(new Evidence(T0, 1, 7L, null, null, null, null, huge,
        null, null, null, null, List.of()));
    assertThat(AgentRules.report(result)).anyMatch(problem -> problem.startsWith("evidence.threadDump: "));
  }
}
