package dev.kelpie.shared.policy;

import java.time.Instant;
import java.util.List;

/**
 * What a check's policy must remember across a coordinator restart: where it stands, the restarts still inside the
 * budget's window, the failures in a row, the backoff level and the timers. The windowed ("k of n") outcomes are not
 * kept: that window starts again from the next result. Its stored form is
 * {@link dev.kelpie.shared.message.CheckMemoryJson}.
 */
public record CheckMemory(CheckPhase phase, int consecutiveFailures, List<Instant> restarts, int restartsSinceStable, Instant lastRestartAt,
                          Instant healthySince, Instant graceUntil, Instant startupDeadline, Instant restartNotBefore,
                          String pendingReason, String reason) {
}
