package dev.kelpie.shared.rules;

import java.time.Duration;

/**
 * The hard caps on what one agent may announce and report. The agent's config reader refuses a file past them and
 * the coordinator's gateway refuses a message past them, so an agent that starts is never refused for its config.
 */
public final class Limits {

  /** Checks per agent, each service's own process check included. */
  public static final int MAX_CHECKS = 1_000;
  public static final int MAX_SERVICES = 200;
  /** Thresholds, {@code window.of} and {@code budget.restarts}: a window is memory the coordinator holds per check. */
  public static final int MAX_COUNT = 10_000;
  /** Any duration of a policy (interval, timeout, grace, budget period, backoff). */
  public static final Duration MAX_DURATION = Duration.ofDays(365);
  /** A probe's latency or a command's duration: at most a policy's longest timeout, and a day for a late loop. */
  public static final Duration MAX_LATENCY = MAX_DURATION.plusDays(1);
  public static final double MAX_BACKOFF_FACTOR = 100;
  public static final int MAX_LABELS = 64;
  public static final int MAX_LABEL_KEY = 64;
  public static final int MAX_LABEL_VALUE = 256;
  public static final int MAX_HOST = 255;
  public static final int MAX_VERSION = 128;
  public static final int MAX_TARGET = 2_048;
  public static final int MAX_MANAGER_TARGET = 512;
  /** A host manager's own word on a service's state ("active (running)"). */
  public static final int MAX_MANAGER_STATE = 128;
  /** A probe's or a command's detail, a signal's name. */
  public static final int MAX_DETAIL = 65_536;
  public static final int MAX_SIGNAL = 16;
  /** The largest outbox an agent may keep ({@code coordinator.buffer}). */
  public static final int MAX_OUTBOX = 1_000_000;
  /**
   * The largest sequence number: far past anything an agent numbers, far enough below {@code Long.MAX_VALUE} that an
   * agent told to number on after it never overflows.
   */
  public static final long MAX_SEQ = 1L << 62;
  /** How far an agent's clock may be from the coordinator's before its times are replaced by the receipt time. */
  public static final Duration MAX_SKEW = Duration.ofMinutes(5);

  private Limits() {
  }
}
