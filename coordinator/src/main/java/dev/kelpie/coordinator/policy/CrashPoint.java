package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named steps of a command's life where a test may have the coordinator die at once, as a kill -9 would: the JVM
 * halts (no shutdown hook, nothing flushed) when the system property {@code kelpie.test.haltAt} names the step. Unset
 * in production, where every call is a cheap comparison with null.
 */
final class CrashPoint {

  static final String BEFORE_SEND = "before-send";
  static final String AFTER_SEND = "after-send";
  static final String DURING_KILL = "during-kill";
  static final String DURING_RESPAWN = "during-respawn";
  static final String AFTER_ANSWER = "after-answer";
  /** A batch is committed and the acknowledgement saying so has not left (from {@code kelpie.test.haltAfterSeq} on). */
  static final String AFTER_STORE = "after-store-before-ack";

  private static final Logger log = LoggerFactory.getLogger(CrashPoint.class);
  private static final String HALT_AT = System.getProperty("kelpie.test.haltAt");
  private static final long HALT_AFTER_SEQ = Long.getLong("kelpie.test.haltAfterSeq", 1);
  private static final int KILLED = 137;

  private CrashPoint() {
  }

  /** A batch has come in, not yet taken: a command's kill or its respawn may be in it. */
  static void received(ReportBatch batch) {
    if (HALT_AT == null) {
      return;
    }
    for (Report report : batch.reports()) {
      if (report instanceof ProcessEvent event && event.commandId() != null) {
        if (event.type() == ProcessEventType.SIGNALLED) {
          reached(DURING_KILL);
        } else if (event.type() == ProcessEventType.STARTED) {
          reached(DURING_RESPAWN);
        }
      }
    }
  }

  /** A batch is stored and not yet acknowledged: a command's answer may be in it. */
  static void stored(ReportBatch batch) {
    if (HALT_AT != null && batch.reports().stream().anyMatch(CommandResult.class::isInstance)) {
      reached(AFTER_ANSWER);
    }
    if (HALT_AT != null && batch.reports().stream().anyMatch(report -> report.seq() >= HALT_AFTER_SEQ)) {
      reached(AFTER_STORE);
    }
  }

  static void reached(String step) {
    if (step.equals(HALT_AT)) {
      log.error("halting at step '{}' as kelpie.test.haltAt asks", step);
      Runtime.getRuntime().halt(KILLED);
    }
  }
}
