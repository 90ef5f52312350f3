package dev.kelpie.coordinator.store;

import dev.kelpie.coordinator.store.HistoryReader.Page;
import dev.kelpie.shared.message.ProbeResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * What every store promises, held against each of them (memory and PostgreSQL): the policy writes facts, the API
 * reads history, a restarted coordinator restores its books, retention purges. A subclass gives a fresh, empty,
 * opened store for each test.
 */
abstract class StoreContract {

  /** Recent enough for what the stores measure against their own clock (unanswered actions of the last day). */
  static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(3));

  Store store;
  HistoryReader history;

  abstract Store newStore();

  abstract void closeStore(Store store);

  @BeforeEach
  void start() {
    store = newStore();
    history = store.history();
  }

  @AfterEach
  void stop() {
    closeStore(store);
  }

  static Instant at(int seconds) {
    return T0.plusSeconds(seconds);
  }

  static Page all(int limit) {
    return new Page(T0.minus(Duration.ofDays(3)), T0.plus(Duration.ofDays(1)), limit, null);
  }

  static ProbeResult result(String agent, String check, long seq, Instant at, boolean up, long latencyMs) {
    ProbeResult result = up ? ProbeResult.up(agent, check, at, Duration.ofMillis(latencyMs), "ok " + seq)
      : ProbeResult.down(agent, check, at, Duration.ofMillis(latencyMs), "503 on " + seq);
    return result.withSeq(seq);
  }

  static Facts.Action issued(String id, String agent, String service, String action, Instant at, String by) {
    return new Facts.Action(id, agent, service, action, "because " + id, by, at, at.plusSeconds(60), 7, null, null,
      null, null);
  }

  static Facts.Action answered(String id, String agent, String service, String action, Instant at, String status) {
    return new Facts.Action(id, agent, service, action, null, null, null, null, 0, status, "answer to " + id, at, 120L);
  }

  static Facts.AgentRecord agent(String id, String host, long lastSeq) {
    return new Facts.AgentRecord(id, host, "1.0", lastSeq, at(0), new JsonArray().add("web"));
  }

  static Facts.CheckRecord check(String agent, String check, String service, JsonObject memory, String incident) {
    return new Facts.CheckRecord(agent, check, new JsonObject().put("id", check).put("service", service), memory,
      incident);
  }

  void write(Facts facts) {
    store.write(facts).await();
  }

  Facts facts() {
    return new Facts();
  }

  @Test
  @DisplayName("a result written again (same agent, sequence, check and time), later or in the same write, is kept "
    + "once, as first written")
  void resultsIdempotent() {
    Facts first = facts();
    for (int seq = 1; seq <= 5; seq++) {
      first.results.add(result("a", "c", seq, at(seq), true, 3));
    }
    write(first);
    write(first);
    Facts replay = facts();
    // a replay is the agent's buffered result sent again: same check and time (what else differs is not taken)
    replay.results.add(result("a", "c", 3, at(3), false, 900));
    replay.results.add(result("b", "c", 3, at(3), true, 4));
    replay.results.add(result("a", "c", 8, at(8), true, 3));
    replay.results.add(result("a", "c", 7, at(7), true, 3));
    replay.results.add(result("a", "c", 8, at(8), false, 900));
    write(replay);

    List<History.Result> read = history.results("a", "c", all(100)).await();

    assertThat(read).as("replays dropped, a late result taken").extracting(History.Result::seq)
      .containsExactly(8L, 7L, 5L, 4L, 3L, 2L, 1L);
    assertThat(read.get(4)).isEqualTo(new History.Result(3, at(3), true, 3, "ok 3"));
    assertThat(history.results("b", "c", all(100)).await()).hasSize(1);
  }

  @Test
  @DisplayName("results come newest first, a page at a time; the last time of a full page is the next page's before")
  void resultsPaged() {
    Facts facts = facts();
    for (int seq = 1; seq <= 10; seq++) {
      facts.results.add(result("a", "c", seq, at(seq * 10), seq % 3 != 0, seq));
    }
    write(facts);

    List<History.Result> first = history.results("a", "c", all(4)).await();
    Page after = new Page(all(4).from(), all(4).to(), 4, first.get(3).time());
    List<History.Result> second = history.results("a", "c", after).await();
    Page last = new Page(all(4).from(), all(4).to(), 4, second.get(3).time());
    List<History.Result> third = history.results("a", "c", last).await();

    assertThat(first).extracting(History.Result::seq).containsExactly(10L, 9L, 8L, 7L);
    assertThat(second).extracting(History.Result::seq).containsExactly(6L, 5L, 4L, 3L);
    assertThat(third).extracting(History.Result::seq).containsExactly(2L, 1L);
    assertThat(second.get(3)).isEqualTo(new History.Result(3, at(30), false, 3, "503 on 3"));
  }

  @Test
  @DisplayName("results at the same time come higher sequence first")
  void resultsSameTime() {
    Facts facts = facts();
    facts.results.add(result("a", "c", 2, at(5), true, 1));
    facts.results.add(result("a", "c", 1, at(5), true, 1));
    facts.results.add(result("a", "c", 3, at(5), true, 1));
    write(facts);

    assertThat(history.results("a", "c", all(10)).await()).extracting(History.Result::seq)
      .containsExactly(3L, 2L, 1L);
  }

  @Test
  @DisplayName("only the check's results from 'from' (included) to 'to' or 'before' (excluded) are read")
  void resultsRange() {
    Facts facts = facts();
    for (int seq = 1; seq <= 6; seq++) {
      facts.results.add(result("a", "c", seq, at(seq * 10), true, 1));
    }
    facts.results.add(result("a", "other", 7, at(30), true, 1));
    facts.results.add(result("b", "c", 1, at(30), true, 1));
    write(facts);

    assertThat(history.results("a", "c", new Page(at(20), at(50), 100, null)).await())
      .extracting(History.Result::seq).containsExactly(4L, 3L, 2L);
    assertThat(history.results("a", "c", new Page(at(20), at(50), 100, at(40))).await())
      .extracting(History.Result::seq).containsExactly(3L, 2L);
    assertThat(history.results("a", "c", new Page(at(20), at(50), 100, at(500))).await())
      .as("a before later than to changes nothing").extracting(History.Result::seq).containsExactly(4L, 3L, 2L);
    assertThat(history.results("a", "nothing", all(100)).await()).isEmpty();
  }

  @Test
  @DisplayName("times are kept to the microsecond, and a page's bounds compared to the microsecond")
  void microseconds() {
    Instant precise = at(10).plusNanos(123_456_789);
    Instant kept = at(10).plusNanos(123_456_000);
    Facts facts = facts();
    facts.results.add(result("a", "c", 1, precise, true, 1));
    facts.transitions.add(new Facts.Transition("a", "c", precise, "healthy", "failing", "503"));
    write(facts);

    assertThat(history.results("a", "c", all(10)).await()).extracting(History.Result::time).containsExactly(kept);
    assertThat(history.transitions("a", "c", all(10)).await()).extracting(History.Transition::time)
      .containsExactly(kept);
    assertThat(history.results("a", "c", new Page(at(0), at(60), 10, kept.plusNanos(999))).await()).isEmpty();
    assertThat(history.results("a", "c", new Page(kept.plusNanos(1), at(60), 10, null)).await()).hasSize(1);
  }

  @Test
  @DisplayName("results of a long range are summed per bucket from the range's start, newest first, empty ones "
    + "left out")
  void resultBuckets() {
    Facts facts = facts();
    facts.results.add(result("a", "c", 1, at(0), true, 10));
    facts.results.add(result("a", "c", 2, at(30), false, 20));
    facts.results.add(result("a", "c", 3, at(59), true, 60));
    facts.results.add(result("a", "c", 4, at(185), true, 7));
    facts.results.add(result("a", "c", 5, at(240), true, 7));
    facts.results.add(result("a", "other", 6, at(10), false, 1));
    write(facts);

    List<History.Bucket> buckets = history.resultBuckets("a", "c", at(0), at(240), Duration.ofMinutes(1)).await();

    assertThat(buckets).containsExactly(
      new History.Bucket(at(180), 1, 0, 7.0, 7),
      new History.Bucket(at(0), 3, 1, 30.0, 60));
  }

  @Test
  @DisplayName("transitions come newest first, the later written first when two have the same time")
  void transitions() {
    Facts facts = facts();
    facts.transitions.add(new Facts.Transition("a", "c", at(10), "healthy", "failing", "503"));
    facts.transitions.add(new Facts.Transition("a", "c", at(20), "failing", "unhealthy", "3 failures"));
    facts.transitions.add(new Facts.Transition("a", "c", at(20), "unhealthy", "acting", "restart"));
    facts.transitions.add(new Facts.Transition("a", "other", at(15), "healthy", "failing", "x"));
    write(facts);
    Facts later = facts();
    later.transitions.add(new Facts.Transition("a", "c", at(30), "acting", "healthy", null));
    write(later);

    assertThat(history.transitions("a", "c", all(3)).await()).containsExactly(
      new History.Transition(at(30), "acting", "healthy", null),
      new History.Transition(at(20), "unhealthy", "acting", "restart"),
      new History.Transition(at(20), "failing", "unhealthy", "3 failures"));
    assertThat(history.transitions("a", "c", new Page(at(0), at(60), 10, at(20))).await())
      .extracting(History.Transition::to).containsExactly("failing");
  }

  /** Agents a (host h1) and b (host h2); incidents: 1 closed on a/c, 2 open on a/d, 3 open on b/c, 4 open on x/c. */
  private void incidents() {
    Facts facts = facts();
    facts.agents.put("a", agent("a", "h1", 0));
    facts.agents.put("b", agent("b", "h2", 0));
    facts.incidents.put("i1", new Facts.Incident("i1", "a", "c", at(10), at(50), "recovered"));
    facts.incidents.put("i2", new Facts.Incident("i2", "a", "d", at(20), null, "3 failures"));
    facts.incidents.put("i3", new Facts.Incident("i3", "b", "c", at(30), null, "timeout"));
    facts.incidents.put("i4", new Facts.Incident("i4", "x", "c", at(40), null, "gone"));
    write(facts);
  }

  @Test
  @DisplayName("incidents come newest first, filtered by state, host, agent and check, with the agent's host")
  void incidentsFiltered() {
    incidents();

    assertThat(history.incidents(null, null, null, null, all(100)).await()).containsExactly(
      new History.Incident("i4", "x", null, "c", at(40), null, "gone"),
      new History.Incident("i3", "b", "h2", "c", at(30), null, "timeout"),
      new History.Incident("i2", "a", "h1", "d", at(20), null, "3 failures"),
      new History.Incident("i1", "a", "h1", "c", at(10), at(50), "recovered"));
    assertThat(ids(null, null, null, true)).containsExactly("i4", "i3", "i2");
    assertThat(ids(null, null, null, false)).containsExactly("i1");
    assertThat(ids("h1", null, null, null)).containsExactly("i2", "i1");
    assertThat(ids(null, "b", null, null)).containsExactly("i3");
    assertThat(ids(null, null, "c", null)).containsExactly("i4", "i3", "i1");
    assertThat(ids("h1", "a", "c", true)).isEmpty();
    assertThat(history.incidents(null, null, null, null, new Page(at(10), at(40), 1, at(30))).await())
      .extracting(History.Incident::id).containsExactly("i2");
  }

  private List<String> ids(String host, String agent, String check, Boolean open) {
    return history.incidents(host, agent, check, open, all(100)).await().stream().map(History.Incident::id).toList();
  }

  @Test
  @DisplayName("incidents opened at the same time come higher id first")
  void incidentsSameTime() {
    Facts facts = facts();
    facts.incidents.put("i-b", new Facts.Incident("i-b", "a", "c", at(10), null, null));
    facts.incidents.put("i-a", new Facts.Incident("i-a", "a", "d", at(10), null, null));
    facts.incidents.put("i-c", new Facts.Incident("i-c", "a", "e", at(10), null, null));
    write(facts);

    assertThat(ids(null, null, null, null)).containsExactly("i-c", "i-b", "i-a");
  }

  @Test
  @DisplayName("an incident's close is written over it; its agent, check and opening stay as first written")
  void incidentClosed() {
    Facts opened = facts();
    opened.incidents.put("i1", new Facts.Incident("i1", "a", "c", at(10), null, "3 failures"));
    write(opened);
    Facts closed = facts();
    closed.incidents.put("i1", new Facts.Incident("i1", "a", "c", at(12), at(50), "recovered"));
    write(closed);

    assertThat(history.incidents(null, null, null, null, all(10)).await())
      .containsExactly(new History.Incident("i1", "a", null, "c", at(10), at(50), "recovered"));
  }

  @Test
  @DisplayName("an incident's timeline holds its check's transitions and its service's actions while it was open, "
    + "oldest first, a transition before an action at the same time")
  void incidentTimeline() {
    Facts facts = facts();
    facts.agents.put("a", agent("a", "h1", 0));
    facts.checks.put("a/c", check("a", "c", "web", new JsonObject(), "i1"));
    facts.incidents.put("i1", new Facts.Incident("i1", "a", "c", at(100), at(200), "recovered"));
    facts.transitions.add(new Facts.Transition("a", "c", at(99), "healthy", "failing", "before"));
    facts.transitions.add(new Facts.Transition("a", "c", at(100), "failing", "unhealthy", "3 failures"));
    facts.transitions.add(new Facts.Transition("a", "c", at(150), "acting", "healthy", "up again"));
    facts.transitions.add(new Facts.Transition("a", "d", at(120), "healthy", "failing", "other check"));
    facts.transitions.add(new Facts.Transition("a", "c", at(202), "healthy", "failing", "after"));
    facts.actions.put("k1", issued("k1", "a", "web", "restart", at(100), "c"));
    facts.actions.put("k2", issued("k2", "a", "db", "restart", at(110), "d"));
    facts.actions.put("k3", issued("k3", "a", "web", "stop", at(300), "alice"));
    write(facts);
    Facts answer = facts();
    answer.actions.put("k1", answered("k1", "a", "web", "restart", at(140), "done"));
    answer.actions.put("k4", answered("k4", "a", "web", "restart", at(201), "failed"));
    write(answer);

    History.IncidentTimeline found = history.incident("i1").await().orElseThrow();

    assertThat(found.incident()).isEqualTo(new History.Incident("i1", "a", "h1", "c", at(100), at(200), "recovered"));
    assertThat(found.timeline()).containsExactly(
      new History.Moment(at(100), History.Kind.TRANSITION, "failing -> unhealthy", "3 failures"),
      new History.Moment(at(100), History.Kind.ACTION, "restart done", "answer to k1", null, "c"),
      new History.Moment(at(150), History.Kind.TRANSITION, "acting -> healthy", "up again"),
      new History.Moment(at(201), History.Kind.ACTION, "restart failed", "answer to k4"));
  }

  @Test
  @DisplayName("a jobs check's incident timeline holds the remediations of the check (named in service), with who "
    + "ordered each and the rows it listed or changed")
  void remediationsOnTheTimeline() {
    Facts facts = facts();
    facts.checks.put("a/jobs", check("a", "jobs", null, new JsonObject(), "i1"));
    facts.incidents.put("i1", new Facts.Incident("i1", "a", "jobs", at(100), at(200), "3 stuck"));
    facts.actions.put("k1", issued("k1", "a", "jobs", "remediate", at(110), "olga"));
    facts.actions.put("k2", issued("k2", "a", "jobs", "restart", at(120), "olga"));
    write(facts);
    Facts answer = facts();
    JsonObject rows = new JsonObject().put("remediation", new JsonObject().put("dryRun", true).put("count", 1)
      .put("ids", new JsonArray().add("7")));
    answer.actions.put("k1", new Facts.Action("k1", "a", "jobs", "remediate", null, null, null, null, 0, "done",
      "dry run: 1 row would be changed: 7", at(111), 20L, rows));
    write(answer);

    assertThat(history.incident("i1").await().orElseThrow().timeline()).containsExactly(
      new History.Moment(at(110), History.Kind.ACTION, "remediate done", "dry run: 1 row would be changed: 7", rows,
        "olga"));
  }

  @Test
  @DisplayName("an open incident's timeline runs to now; an unknown incident is not found")
  void openIncidentTimeline() {
    Facts facts = facts();
    facts.checks.put("a/c", check("a", "c", "web", null, "i1"));
    facts.incidents.put("i1", new Facts.Incident("i1", "a", "c", at(100), null, "3 failures"));
    facts.transitions.add(new Facts.Transition("a", "c", at(100), "failing", "unhealthy", "3 failures"));
    facts.actions.put("k1", issued("k1", "a", "web", "restart", at(5000), "c"));
    write(facts);

    History.IncidentTimeline found = history.incident("i1").await().orElseThrow();

    assertThat(found.incident().open()).isTrue();
    assertThat(found.timeline()).extracting(History.Moment::what)
      .containsExactly("failing -> unhealthy", "restart");
    assertThat(found.timeline().get(1).why()).isEqualTo("because k1");
    assertThat(history.incident("no-such-incident").await()).isEmpty();
  }

  @Test
  @DisplayName("actions come newest first by issue (or finish, when never issued), filtered by agent and service")
  void actionsFiltered() {
    Facts facts = facts();
    facts.actions.put("k1", issued("k1", "a", "web", "restart", at(10), "c"));
    facts.actions.put("k2", issued("k2", "a", "db", "restart", at(20), "d"));
    facts.actions.put("k3", issued("k3", "b", "web", "stop", at(30), "alice"));
    facts.actions.put("k4", answered("k4", "a", "web", "start", at(40), "done"));
    facts.actions.put("k5", new Facts.Action("k5", "a", null, "silence", "lunch", "bob", at(50), null, 7, "done",
      null, at(50), 0L));
    write(facts);

    assertThat(commands(null, null, all(100))).containsExactly("k5", "k4", "k3", "k2", "k1");
    assertThat(commands("a", null, all(100))).containsExactly("k5", "k4", "k2", "k1");
    assertThat(commands(null, "web", all(100))).containsExactly("k4", "k3", "k1");
    assertThat(commands("a", "web", all(100))).containsExactly("k4", "k1");
    assertThat(commands(null, null, new Page(at(10), at(50), 2, at(40)))).containsExactly("k3", "k2");
    assertThat(history.actions("b", null, all(100)).await()).containsExactly(new History.Action("k3", "b", "web",
      "stop", "because k3", "alice", at(30), null, null, null, null));
  }

  private List<String> commands(String agent, String service, Page page) {
    return history.actions(agent, service, page).await().stream().map(History.Action::commandId).toList();
  }

  @Test
  @DisplayName("an answer completes its issue whichever is written first; a repeated issue changes nothing")
  void actionAnswered() {
    Facts issue = facts();
    issue.actions.put("k1", issued("k1", "a", "web", "restart", at(10), "c"));
    write(issue);
    Facts answer = facts();
    answer.actions.put("k1", answered("k1", "a", "web", "restart", at(12), "done"));
    answer.actions.put("k2", answered("k2", "a", "web", "stop", at(22), "failed"));
    write(answer);
    Facts again = facts();
    again.actions.put("k1", issued("k1", "a", "web", "restart", at(15), "someone else"));
    again.actions.put("k2", issued("k2", "a", "web", "stop", at(20), "alice"));
    write(again);

    assertThat(history.actions(null, null, all(10)).await()).containsExactly(
      new History.Action("k2", "a", "web", "stop", "because k2", "alice", at(20), "failed", "answer to k2", at(22),
        120L),
      new History.Action("k1", "a", "web", "restart", "because k1", "c", at(10), "done", "answer to k1", at(12),
        120L));
  }

  @Test
  @DisplayName("the evidence of an answer is kept with its action, whichever is written first")
  void actionEvidence() {
    JsonObject evidence = new JsonObject().put("takenAt", 1000L).put("tookMs", 12).put("summary", "pid 41")
      .put("threadDump", "\"demo-worker\" waiting").put("missing", new io.vertx.core.json.JsonArray());
    Facts answer = facts();
    answer.actions.put("k1", new Facts.Action("k1", "a", "web", "restart", null, null, null, null, 0, "done", "ok",
      at(12), 120L, evidence));
    write(answer);
    Facts issue = facts();
    issue.actions.put("k1", issued("k1", "a", "web", "restart", at(10), "c"));
    issue.actions.put("k2", issued("k2", "a", "web", "dump", at(20), "alice"));
    write(issue);

    assertThat(history.actions("a", "web", all(10)).await()).extracting(History.Action::evidence)
      .containsExactly(null, evidence);
  }

  @Test
  @DisplayName("restore brings back agents, checks with their last memory, open incidents, unanswered actions of "
    + "the last day and silences not yet lifted")
  void restore() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    JsonObject memory = new JsonObject().put("phase", "FAILING").put("failures", 2);
    Facts facts = facts();
    facts.agents.put("a", agent("a", "h1", 40));
    facts.checks.put("a/c", check("a", "c", "web", memory, "i1"));
    facts.incidents.put("i1", new Facts.Incident("i1", "a", "c", at(10), null, "3 failures"));
    facts.incidents.put("i0", new Facts.Incident("i0", "a", "c", at(1), at(5), "recovered"));
    facts.actions.put("k1", issued("k1", "a", "web", "restart", now.minusSeconds(60), "c"));
    facts.actions.put("k2", issued("k2", "a", "web", "restart", now.minusSeconds(50), "c"));
    facts.actions.put("k3", issued("k3", "a", "web", "restart", now.minus(Duration.ofDays(2)), "c"));
    facts.silences.put("a/c", new Facts.Silence("a", "c", now.plusSeconds(600), "alice", "deploy", now));
    facts.silences.put("a/", new Facts.Silence("a", null, now.plusSeconds(60), "bob", "move", now));
    facts.silences.put("a/d", new Facts.Silence("a", "d", now.minusSeconds(1), "bob", "lifted", now));
    write(facts);
    Facts later = facts();
    later.agents.put("a", new Facts.AgentRecord("a", null, null, 30, at(20), null));
    later.checks.put("a/c", check("a", "c", "web", null, "i1"));
    later.actions.put("k2", answered("k2", "a", "web", "restart", now.minusSeconds(40), "done"));
    write(later);

    Store.Restored restored = store.restore().await();

    assertThat(restored.agents()).containsOnlyKeys("a");
    assertThat(restored.agents().get("a")).isEqualTo(new Facts.AgentRecord("a", "h1", "1.0", 40, at(20),
      new JsonArray().add("web")));
    assertThat(restored.checks()).containsOnlyKeys("a/c");
    assertThat(restored.checks().get("a/c")).isEqualTo(check("a", "c", "web", memory, "i1"));
    assertThat(restored.openIncidents()).containsOnlyKeys("i1");
    assertThat(restored.openIncidents().get("i1"))
      .isEqualTo(new Facts.Incident("i1", "a", "c", at(10), null, "3 failures"));
    assertThat(restored.pendingActions()).containsExactly(issued("k1", "a", "web", "restart", now.minusSeconds(60),
      "c"));
    assertThat(restored.silences()).containsExactlyInAnyOrder(
      new Facts.Silence("a", "c", now.plusSeconds(600), "alice", "deploy", now),
      new Facts.Silence("a", null, now.plusSeconds(60), "bob", "move", now));
  }

  @Test
  @DisplayName("a check's memory written without its spec (what moves between hellos) keeps the spec announced; one "
    + "never announced gets no row, and the rest of its write is stored")
  void checkMemoryKeepsTheAnnouncedSpec() {
    JsonObject memory = new JsonObject().put("phase", "FAILING").put("failures", 2);
    Facts announced = facts();
    announced.checks.put("a/c", check("a", "c", "web", new JsonObject().put("failures", 0), null));
    write(announced);
    Facts moved = facts();
    moved.checks.put("a/c", new Facts.CheckRecord("a", "c", null, memory, "i1"));
    moved.checks.put("a/never", new Facts.CheckRecord("a", "never", null, memory, null));
    moved.results.add(result("a", "never", 1, at(1), false, 5));
    write(moved);
    Facts incidentClosed = facts();
    incidentClosed.checks.put("a/c", new Facts.CheckRecord("a", "c", null, null, null));
    write(incidentClosed);

    Store.Restored restored = store.restore().await();

    assertThat(restored.checks()).containsOnlyKeys("a/c");
    assertThat(restored.checks().get("a/c")).isEqualTo(check("a", "c", "web", memory, null));
    assertThat(history.results("a", "never", all(10)).await()).hasSize(1);
  }

  @Test
  @DisplayName("facts gathered into one write keep the services a process event announced, though a batch after it "
    + "in the same write says nothing of them")
  void gatheredWriteKeepsTheServices() {
    Facts hello = facts();
    hello.agents.put("a", new Facts.AgentRecord("a", "h1", "1.0", 10, at(1), services(100)));
    write(hello);
    Facts respawned = facts();   // a process event's: the service's new pid
    respawned.agents.put("a", new Facts.AgentRecord("a", "h1", "1.0", 11, at(2), services(200)));
    Facts batch = facts();       // the next batch's: services unchanged, so unsaid
    batch.agents.put("a", new Facts.AgentRecord("a", "h1", "1.0", 12, at(3), null));
    respawned.addAll(batch);     // as a lane gathers them into one transaction
    write(respawned);

    assertThat(store.restore().await().agents().get("a"))
      .isEqualTo(new Facts.AgentRecord("a", "h1", "1.0", 12, at(3), services(200)));
  }

  private static JsonArray services(long pid) {
    return new JsonArray().add(new JsonObject().put("name", "web").put("wanted", true).put("pid", pid));
  }

  @Test
  @DisplayName("agents taken over together are restored together: each one's part as if read alone")
  void restoreAgentsTogether() {
    Facts facts = facts();
    facts.agents.put("a", agent("a", "h1", 40));
    facts.agents.put("b", agent("b", "h2", 7));
    facts.agents.put("z", agent("z", "h3", 3));
    facts.checks.put("a/c", check("a", "c", "web", null, null));
    facts.checks.put("b/c", check("b", "c", "web", null, null));
    facts.checks.put("z/c", check("z", "c", "web", null, null));
    write(facts);

    Store.Restored together = store.restoreAgents(List.of("a", "b")).await();
    for (String agent : List.of("a", "b")) {
      Store.Restored alone = store.restoreAgent(agent).await();
      assertThat(together.only(agent)).as(agent).isEqualTo(alone);
      assertThat(alone.agents()).containsOnlyKeys(agent);
    }
    assertThat(store.restore().await().agents()).containsOnlyKeys("a", "b", "z");
  }

  @Test
  @DisplayName("restore tells which agents' last agent alert called them lost, and when: not one back since")
  void restoreLostAlerted() {
    List.of(agentAlert("agent_lost", "a", 1), agentAlert("agent_back", "a", 2), agentAlert("agent_lost", "b", 3),
      agentAlert("agent_back", "c", 4), agentAlert("agent_lost", "c", 5), agentAlert("incident_opened", "d", 6))
      .forEach(alert -> {
        Facts facts = facts();
        facts.alerts.add(alert);
        write(facts);
      });

    assertThat(store.restore().await().lostAlerted()).containsOnly(entry("b", at(3)), entry("c", at(5)));
    assertThat(store.restoreAgent("b").await().lostAlerted()).containsOnly(entry("b", at(3)));
    assertThat(store.restoreAgent("a").await().lostAlerted()).isEmpty();
    assertThat(store.restoreAgents(List.of("a", "c")).await().only("c").lostAlerted())
      .containsOnly(entry("c", at(5)));
  }

  private static Facts.Alert agentAlert(String kind, String agent, int seconds) {
    String id = kind + "-" + agent + "-" + seconds;
    return new Facts.Alert(id, at(seconds), new JsonObject().put("id", id).put("kind", kind).put("agentId", agent)
      .put("raisedAt", at(seconds).toString()));
  }

  @Test
  @DisplayName("a new store restores nothing")
  void restoreEmpty() {
    Store.Restored restored = store.restore().await();

    assertThat(restored.agents()).isEmpty();
    assertThat(restored.checks()).isEmpty();
    assertThat(restored.openIncidents()).isEmpty();
    assertThat(restored.pendingActions()).isEmpty();
    assertThat(restored.silences()).isEmpty();
  }

  @Test
  @DisplayName("purge deletes successes and failures past their own ages, counts them, and keeps the rest readable")
  void purge() {
    Facts facts = facts();
    facts.results.add(result("a", "c", 1, at(0).minus(Duration.ofDays(3)), true, 1));
    facts.results.add(result("a", "c", 2, at(0).minus(Duration.ofHours(1)), true, 1));
    facts.results.add(result("a", "c", 3, at(0).minus(Duration.ofDays(3)), false, 1));
    facts.results.add(result("b", "c", 4, at(0).minus(Duration.ofDays(20)), false, 1));
    write(facts);

    long deleted = store.purge(at(0).minus(Duration.ofDays(2)), at(0).minus(Duration.ofDays(14))).await();

    assertThat(deleted).isEqualTo(2);
    Page everything = new Page(at(0).minus(Duration.ofDays(30)), at(0), 100, null);
    assertThat(history.results("a", "c", everything).await()).extracting(History.Result::seq)
      .containsExactly(2L, 3L);
    assertThat(history.results("b", "c", everything).await()).isEmpty();
    assertThat(store.purge(at(0).minus(Duration.ofDays(2)), at(0).minus(Duration.ofDays(14))).await()).isZero();
  }

  @Test
  @DisplayName("every opening gives an epoch greater than all before it, and the proposed one when that is greater")
  void epochs() {
    long first = store.open(1).await();
    long second = store.open(1).await();
    long proposed = second + 1000;
    long third = store.open(proposed).await();

    assertThat(second).isGreaterThan(first);
    assertThat(third).isEqualTo(proposed);
  }

  @Test
  @DisplayName("an empty write, a ping and reads of an empty store succeed")
  void empty() {
    write(facts());
    store.ping().await();

    assertThat(history.results("a", "c", all(10)).await()).isEmpty();
    assertThat(history.resultBuckets("a", "c", at(0), at(600), Duration.ofMinutes(1)).await()).isEmpty();
    assertThat(history.transitions("a", "c", all(10)).await()).isEmpty();
    assertThat(history.incidents(null, null, null, null, all(10)).await()).isEmpty();
    assertThat(history.actions(null, null, all(10)).await()).isEmpty();
  }
}
