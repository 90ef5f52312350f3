package dev.kelpie.coordinator.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closes connections that hold the port without using it (slowloris): one that has not sent a whole request within
 * {@code headerTimeout} of opening, of the request's start, or of being found idle after its last answer; and any
 * beyond {@code maxPerAddress} from one client address. WebSockets are left to the idle timeout and their pings.
 * One per event loop serving the port, each watching its own connections with no locks; the count per address is
 * shared by them all (a concurrent map). {@link #sweep} is called every {@link #SWEEP}.
 *
 * <p>A client is judged only on time the server could read it. A sweep that runs late ran on a loop that was busy
 * (or paused) meanwhile, that may have read no one's bytes either: a whole request may be waiting in the socket. So
 * the guard's own clock advances by at most one {@link #SWEEP} from one sweep to the next, however late it ran; a
 * slowloris is still closed after {@code headerTimeout} of sweeps, on a loop however busy.
 *
 * <p>The per-address count follows the Netty channel ({@link ConnectionBase}, a Vert.x internal): after an upgrade to
 * WebSocket, no public handle on the connection tells it closed (its {@code closeHandler} is no longer called, and
 * the {@code ServerWebSocket}'s one close handler belongs to the route that upgraded it).
 */
final class ConnectionGuard {

  /** How often {@link #sweep} is meant to run. */
  static final Duration SWEEP = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final long SWEEP_NANOS = SWEEP.toNanos();

  private final long timeoutNanos;
  private final int maxPerAddress;
  private final ConcurrentMap<String, Integer> openByAddress;
  private final Map<HttpConnection, Watch> watched = new IdentityHashMap<>();
  private long lastSweepWall;
  private long lastSweepGuard;

  /** What a connection is doing: {@code request} is its latest, {@code since} when its current phase began. */
  private static final class Watch {
    HttpServerRequest request;
    long since;
  }

  /** @param openByAddress open connections per client address, shared by the guards of the port's event loops */
  ConnectionGuard(Duration headerTimeout, int maxPerAddress, ConcurrentMap<String, Integer> openByAddress) {
    this.lastSweepWall = System.nanoTime();
    this.timeoutNanos = headerTimeout.toNanos();
    this.maxPerAddress = maxPerAddress;
    this.openByAddress = openByAddress;
  }

  void connected(HttpConnection connection) {
    String address = connection.remoteAddress() == null ? "?" : connection.remoteAddress().hostAddress();
    int open = openByAddress.merge(address, 1, Integer::sum);
    AtomicBoolean counted = new AtomicBoolean(true);
    Runnable closed = () -> {
      if (counted.getAndSet(false)) {
        openByAddress.computeIfPresent(address, (key, count) -> count == 1 ? null : count - 1);
        watched.remove(connection);
      }
    };
    // A connection upgraded to a WebSocket no longer calls its HTTP close handler when it closes (the socket
    // takes the channel over), so the count follows the channel itself; without it every agent's connection stayed
    // counted and an address was refused for good after maxPerAddress reconnects.
    if (connection instanceof ConnectionBase base) {
      base.channel().closeFuture().addListener(done -> closed.run());
    } else {
      connection.closeHandler(v -> closed.run());
    }
    if (maxPerAddress > 0 && open > maxPerAddress) {
      log.atWarn().addKeyValue("remote", address)
        .log("closed a connection: {} open from this address (http.maxConnectionsPerAddress)", open);
      connection.close();
      return;
    }
    Watch watch = new Watch();
    watch.since = now(System.nanoTime());
    watched.put(connection, watch);
  }

  /** Notes each request on its connection before handing it on; an upgrade to WebSocket is no longer watched. */
  Handler<HttpServerRequest> watching(Handler<HttpServerRequest> next) {
    return request -> {
      Watch watch = watched.get(request.connection());
      if (watch != null) {
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
          watched.remove(request.connection());
        } else {
          watch.request = request;
          watch.since = now(System.nanoTime());
        }
      }
      next.handle(request);
    };
  }

  void sweep() {
    long wall = System.nanoTime();
    long now = now(wall);
    long behind = wall - lastSweepWall - SWEEP_NANOS;
    if (behind > SWEEP_NANOS) {
      log.atDebug().log("the connection sweep ran {} ms late: that time is not counted against clients",
        TimeUnit.NANOSECONDS.toMillis(behind));
    }
    lastSweepWall = wall;
    lastSweepGuard = now;
    List<HttpConnection> late = new ArrayList<>();
    for (Iterator<Map.Entry<HttpConnection, Watch>> it = watched.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<HttpConnection, Watch> entry = it.next();
      Watch watch = entry.getValue();
      HttpServerRequest request = watch.request;
      boolean answered = request != null && request.isEnded() && request.response().ended();
      if (request != null && request.isEnded() && !answered) {
        watch.since = now;   // being answered: the handler's business, not the client's
        continue;
      }
      if (answered && watch.request != null) {
        watch.request = null;   // idle after an answer: the next request gets a full timeout from now
        watch.since = now;
        continue;
      }
      if (now - watch.since > timeoutNanos) {
        late.add(entry.getKey());
        it.remove();
      }
    }
    if (!late.isEmpty()) {
      log.atInfo().log("closed {} connections that sent no whole request within {}s (http.headerTimeout)",
        late.size(), TimeUnit.NANOSECONDS.toSeconds(timeoutNanos));
    }
    late.forEach(HttpConnection::close);   // after the loop: closing calls back into the map
  }

  /** The guard's clock: the wall clock's time since the last sweep, but never more than one period of it. */
  private long now(long wall) {
    return lastSweepGuard + Math.min(wall - lastSweepWall, SWEEP_NANOS);
  }
}
