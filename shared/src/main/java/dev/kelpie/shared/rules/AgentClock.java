package dev.kelpie.shared.rules;

import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportBatch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Times from an agent, made safe to keep. A batch says when it was sent by the agent's clock; that clock's distance
 * from the coordinator's ({@code skew}) is measured at receipt. Within {@link Limits#MAX_SKEW} the agent's times are
 * kept; past it each report is kept at the receipt time less its age by the agent's own clock (a fresh report: the
 * receipt time), so a wrong clock neither breaks charts nor hides a replay's age. Ages are bounded by
 * {@link #MAX_AGE}, a command's duration by {@link Limits#MAX_LATENCY}.
 */
public final class AgentClock {

  public static final Duration MAX_AGE = Duration.ofDays(365);

  /** The batch as kept, and how far the agent's clock was ahead (negative: behind) when it was sent. */
  public record Taken(ReportBatch batch, Duration skew) {

    public boolean skewed() {
      return beyondSkew(skew);
    }
  }

  private static final Duration MIN_SKEW = Limits.MAX_SKEW.negated();

  private AgentClock() {
  }

  /** {@code |skew| > MAX_SKEW}, without {@link Duration#abs}, which goes through a BigDecimal for a negative one. */
  private static boolean beyondSkew(Duration skew) {
    return skew.compareTo(Limits.MAX_SKEW) > 0 || skew.compareTo(MIN_SKEW) < 0;
  }

  public static Taken take(ReportBatch batch, Instant receivedAt) {
    Duration skew = Duration.between(receivedAt, batch.sentAt());
    boolean skewed = beyondSkew(skew);
    Instant sentAt = skewed ? receivedAt : batch.sentAt();
    List<Report> kept = null;
    for (int i = 0; i < batch.reports().size(); i++) {
      Report report = batch.reports().get(i);
      Instant time = sentAt.minus(clamp(Duration.between(report.time(), batch.sentAt()), MAX_AGE));
      Report safe = kept(report, time);
      if (safe != report && kept == null) {
        kept = new ArrayList<>(batch.reports().subList(0, i));
      }
      if (kept != null) {
        kept.add(safe);
      }
    }
    if (kept == null && !skewed) {
      return new Taken(batch, skew);
    }
    return new Taken(new ReportBatch(batch.agentId(), sentAt, kept == null ? batch.reports() : kept), skew);
  }

  /** A keepalive at the receipt time when the agent's clock is off by more than the skew window. */
  public static Keepalive take(Keepalive keepalive, Instant receivedAt) {
    if (!beyondSkew(Duration.between(receivedAt, keepalive.time()))) {
      return keepalive;
    }
    return new Keepalive(keepalive.agentId(), receivedAt, keepalive.rssBytes(), keepalive.cpuLoad(),
      keepalive.eventLoopLagMillis(), keepalive.bufferDepth());
  }

  private static Report kept(Report report, Instant time) {
    if (report instanceof CommandResult result) {
      Duration duration = clamp(result.duration(), Limits.MAX_LATENCY);
      if (time.equals(result.time()) && duration.equals(result.duration())) {
        return report;
      }
      return new CommandResult(result.agentId(), result.seq(), result.commandId(), result.service(), result.action(),
        result.status(), result.detail(), time, duration, result.pid(), result.local(), result.evidence(),
        result.remediation());
    }
    if (time.equals(report.time())) {
      return report;
    }
    if (report instanceof ProbeResult result) {
      return new ProbeResult(result.agentId(), result.seq(), result.checkId(), time, result.outcome(),
        result.latency(), result.detail());
    }
    ProcessEvent event = (ProcessEvent) report;
    return new ProcessEvent(event.agentId(), event.seq(), event.service(), time, event.type(), event.pid(),
      event.exitCode(), event.signal(), event.commandId(), event.detail());
  }

  private static Duration clamp(Duration value, Duration max) {
    return value.isNegative() ? Duration.ZERO : value.compareTo(max) > 0 ? max : value;
  }
}
