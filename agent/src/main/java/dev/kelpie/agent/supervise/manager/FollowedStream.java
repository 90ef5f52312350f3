package dev.kelpie.agent.supervise.manager;

import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Keeps a manager's stream of change notices open: each notice goes to {@code changed}; when the stream drops or
 * cannot be opened, it is opened again after a backoff (doubling from {@link #FIRST_BACKOFF} to {@link #MAX_BACKOFF},
 * back to the first after a notice came through). Meanwhile the agent's polling of the main pid and of the manager
 * goes on, so a stream that never works costs promptness, never correctness. Touched only on the caller's context.
 */
public final class FollowedStream {

  static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(FollowedStream.class);

  private final Vertx vertx;
  private final String what;
  private final Function<Consumer<String>, NoticeStream> open;
  private final Consumer<String> changed;
  private NoticeStream current;
  private Duration backoff = FIRST_BACKOFF;
  private long timer = -1;
  private boolean closed;
  private int opened;
  private String lastProblem;

  /** {@code what} names the stream for the log: "Docker events of docker container api". */
  FollowedStream(Vertx vertx, String what, Function<Consumer<String>, NoticeStream> open, Consumer<String> changed) {
    this.vertx = vertx;
    this.what = what;
    this.open = open;
    this.changed = changed;
  }

  FollowedStream start() {
    openNow();
    return this;
  }

  /** How many times the stream was opened: 1 while the first one holds. */
  public int opened() {
    return opened;
  }

  public String what() {
    return what;
  }

  public void close() {
    closed = true;
    vertx.cancelTimer(timer);
    if (current != null) {
      current.close();
    }
  }

  private void openNow() {
    if (closed) {
      return;
    }
    opened++;
    NoticeStream stream = open.apply(this::notice);
    current = stream;
    stream.ended().onComplete(end -> {
      if (closed || current != stream) {
        return;
      }
      String problem = end.succeeded() ? "it ended" : end.cause().getMessage();
      if (!Objects.equals(problem, lastProblem)) {
        log.atWarn().addKeyValue("stream", what).log("{} dropped ({}); opening it again in {} ms, polling meanwhile",
          what, problem, backoff.toMillis());
        lastProblem = problem;
      }
      timer = vertx.setTimer(backoff.toMillis(), id -> openNow());
      backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    });
  }

  private void notice(String notice) {
    if (closed) {
      return;
    }
    backoff = FIRST_BACKOFF;
    if (lastProblem != null) {
      log.atInfo().addKeyValue("stream", what).log("{} flows again", what);
      lastProblem = null;
    }
    changed.accept(notice);
  }
}
