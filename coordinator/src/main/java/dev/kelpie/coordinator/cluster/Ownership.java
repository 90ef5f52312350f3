package dev.kelpie.coordinator.cluster;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Command;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Which agents this coordinator owns, and the fencing token it stamps on their commands.
 *
 * <p>Alone (no cluster), a coordinator owns every agent that says hello to it and its token is its start epoch, as
 * before clustering existed. In a cluster, a hello takes the agent's lease ({@link Leases}); the lease's epoch is the
 * token. The token must keep growing for an agent that has seen coordinators come and go, because the agent refuses
 * any command older than the highest epoch it has seen: so each acquisition asks for an epoch of at least this node's
 * start epoch (the {@code floor}), which is itself above every earlier coordinator's epoch and every lease epoch
 * (the store opens epochs past both). One number, compared as before: the agents need no change.
 *
 * <p>A lease is renewed every third of its term while the agent stays connected here; a lease that could not be
 * renewed is lost, and the agent is given up ({@code lost} callback, its connection closed). A command goes out only
 * while the lease is live by this node's own reckoning (its last renewal sent plus the term, never later than the
 * database's expiry), so a node that was frozen stamps nothing with a token another node has superseded - and if it
 * did, the agent would refuse it.
 */
public final class Ownership {

  private static final Logger log = LoggerFactory.getLogger(Ownership.class);
  private static final long TAKE_RETRY_MILLIS = 500;

  /** Why a hello was not taken: another node holds the agent, or the leases could not be reached. */
  public static final class NotOwned extends RuntimeException {
    public NotOwned(String message) {
      super(message, null, false, false);
    }
  }

  /** A hello taken: the token to answer with, and whether this node owned the agent without a break before it. */
  public record Taken(long token, boolean continuous) {
  }

  private record Held(Lease lease, long liveUntilNanos) {
  }

  private final Vertx vertx;
  private final Leases leases;
  private final long floor;
  private final Duration term;
  private final Map<String, Held> held = new HashMap<>();
  private final Map<String, Long> lastEpochs = new HashMap<>();
  private final Set<String> departed = ConcurrentHashMap.newKeySet();
  private final Map<Long, Runnable> waiting = new HashMap<>();
  private final BatchedAcquisitions acquisitions;
  private Consumer<String> lost = agentId -> { };
  private Context context;
  private OrphanWatch orphans;
  private boolean renewing;

  private Ownership(Vertx vertx, Leases leases, long floor, Duration term) {
    this.vertx = vertx;
    this.leases = leases;
    this.floor = floor;
    this.term = term;
    this.acquisitions = leases == null ? null
      : new BatchedAcquisitions(vertx, leases, floor, () -> List.copyOf(departed));
  }

  /** A coordinator alone: it owns whoever says hello, and its token is its own epoch. */
  public static Ownership alone(long epoch) {
    return new Ownership(null, null, epoch, Duration.ZERO);
  }

  /** A coordinator among others: ownership by {@code leases} of {@code term}, tokens at least {@code floor}. */
  public static Ownership clustered(Vertx vertx, Leases leases, long floor, Duration term) {
    return new Ownership(vertx, leases, floor, term);
  }

  public boolean clustered() {
    return leases != null;
  }

  /** This node's name in the leases (null alone). */
  public String node() {
    return leases == null ? null : leases.node();
  }

  /** Starts renewing; {@code lost} hears (on the caller's context) of each agent whose lease was lost. */
  public void start(Consumer<String> lost) {
    start(lost, agentId -> Future.succeededFuture());
  }

  /**
   * As {@link #start(Consumer)}, and, when watching for orphans ({@link #watchOrphans}), {@code orphaned} adopts each
   * agent this node claimed because its coordinator died with it.
   */
  public void start(Consumer<String> lost, Function<String, Future<?>> orphaned) {
    this.lost = lost;
    this.context = vertx == null ? null : vertx.getOrCreateContext();
    if (leases != null) {
      vertx.setPeriodic(Math.max(100, term.toMillis() / 3), id -> renew());
      if (orphans != null) {
        orphans.start(term.dividedBy(3), orphaned);
      }
    }
  }

  /**
   * Keeps watch, once started, for agents whose lease ran out a term ago under a holder that is not one of
   * {@code members} (the cluster's nodes now), so their silence is still tracked somewhere.
   */
  public Ownership watchOrphans(Supplier<Collection<String>> members) {
    if (leases != null) {
      orphans = new OrphanWatch(vertx, leases, members, term);
    }
    return this;
  }

  /**
   * The cluster saw {@code node} leave (any thread): its agents may be taken at once rather than after their leases
   * run out. A node that only froze is safe to overtake: see {@link Leases#acquire(String, long, Collection)}.
   */
  public void peerLeft(String node) {
    if (leases != null && !node.equals(leases.node())) {
      departed.add(node);
      if (context != null) {
        context.runOnContext(v -> retryWaiting());
      }
    }
  }

  /** The hellos waiting for a holder to go try again now: the holder may be the node that just left. */
  private void retryWaiting() {
    List<Map.Entry<Long, Runnable>> now = List.copyOf(waiting.entrySet());
    waiting.clear();
    now.forEach(entry -> {
      if (vertx.cancelTimer(entry.getKey())) {
        entry.getValue().run();
      }
    });
  }

  /** {@code node} is a member (again): its leases are waited out as any live node's. */
  public void peerJoined(String node) {
    departed.remove(node);
  }

  /**
   * Takes the agent for this node: at once when it is free or expired or its holder left the cluster, else after its
   * holder's lease runs out or the cluster sees the holder leave (polled, for at most a term and a second: a node
   * that died keeps its agents only until then). Fails with
   * {@link NotOwned} when another node still holds it after that.
   */
  public Future<Taken> take(String agentId) {
    if (leases == null) {
      return Future.succeededFuture(new Taken(floor, true));
    }
    Promise<Taken> taken = Promise.promise();
    attempt(agentId, System.nanoTime() + term.plusSeconds(1).toNanos(), taken);
    return taken.future();
  }

  private void attempt(String agentId, long giveUpNanos, Promise<Taken> taken) {
    long sent = System.nanoTime();
    acquisitions.acquire(agentId).onComplete(done -> {
      if (done.succeeded() && done.result().isPresent()) {
        Lease lease = done.result().get();
        Long before = lastEpochs.put(agentId, lease.epoch());
        held.put(agentId, new Held(lease, sent + term.toNanos()));
        log.atInfo().addKeyValue("agent", agentId).log("agent owned by this node ({}), token {}", lease.ownerNode(),
          lease.epoch());
        taken.complete(new Taken(lease.epoch(), before != null && before + 1 == lease.epoch()));
      } else if (System.nanoTime() - giveUpNanos > 0) {
        taken.fail(new NotOwned(done.failed() ? "agent leases unreachable: " + done.cause().getMessage()
          : "agent '" + agentId + "' is owned by another coordinator"));
      } else {
        long timer = vertx.setTimer(TAKE_RETRY_MILLIS, id -> {
          waiting.remove(id);
          attempt(agentId, giveUpNanos, taken);
        });
        waiting.put(timer, () -> attempt(agentId, giveUpNanos, taken));
      }
    });
  }

  /** The token for the agent's commands while this node owns it, by its own reckoning; empty when it does not. */
  public Optional<Long> token(String agentId) {
    if (leases == null) {
      return Optional.of(floor);
    }
    Held hold = held.get(agentId);
    return hold == null || System.nanoTime() - hold.liveUntilNanos() >= 0 ? Optional.empty()
      : Optional.of(hold.lease().epoch());
  }

  /** The command as it goes on the wire: stamped with the agent's token; empty when this node may not send it. */
  public Optional<Command> stamp(Command command) {
    if (leases == null) {
      return Optional.of(command);
    }
    return token(command.agentId()).map(command::withEpoch);
  }

  /** The agent left this node: its lease is released, so another node may take it at once. */
  public void letGo(String agentId) {
    if (leases == null) {
      return;
    }
    Held hold = held.remove(agentId);
    if (hold != null) {
      leases.release(hold.lease()).onFailure(failure -> log.atWarn().addKeyValue("agent", agentId)
        .log("could not release the agent's lease (it expires by itself): {}", failure.getMessage()));
    }
  }

  /** Of {@code agentIds} (agents this node remembers but does not hold), those another node holds now. */
  public Future<Set<String>> ownedElsewhere(Collection<String> agentIds) {
    if (leases == null || agentIds.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    return leases.heldElsewhere(agentIds.stream().filter(id -> !held.containsKey(id)).toList());
  }

  /** Whether this node holds the agent's lease (live or not yet known lost). */
  public boolean holds(String agentId) {
    return leases == null || held.containsKey(agentId);
  }

  private void renew() {
    if (renewing || held.isEmpty()) {
      return;
    }
    renewing = true;
    long sent = System.nanoTime();
    List<Lease> asked = held.values().stream().map(Held::lease).toList();
    leases.renewAll(asked).onComplete(done -> {
      renewing = false;
      if (done.failed()) {
        log.warn("could not renew {} agent lease(s): {}", asked.size(), done.cause().getMessage());
        giveUpExpired();
        return;
      }
      Map<String, Lease> renewed = new HashMap<>();
      done.result().forEach(lease -> renewed.put(lease.agentId(), lease));
      for (Lease lease : asked) {
        Held now = held.get(lease.agentId());
        if (now == null || now.lease().epoch() != lease.epoch()) {
          continue;   // released or taken again meanwhile
        }
        if (renewed.containsKey(lease.agentId())) {
          held.put(lease.agentId(), new Held(now.lease(), sent + term.toNanos()));
        } else {
          giveUp(lease.agentId(), "its lease was taken by another coordinator or expired");
        }
      }
    });
  }

  /** The database did not answer: leases past their term by this node's reckoning are as good as lost. */
  private void giveUpExpired() {
    long now = System.nanoTime();
    List.copyOf(held.entrySet()).stream().filter(e -> now - e.getValue().liveUntilNanos() >= 0)
      .forEach(e -> giveUp(e.getKey(), "its lease could not be renewed in time"));
  }

  private void giveUp(String agentId, String why) {
    held.remove(agentId);
    log.atWarn().addKeyValue("agent", agentId).log("agent given up by this node: {}", why);
    lost.accept(agentId);
    vertx.eventBus().publish(Addresses.GATEWAY_AGENT_DROP, new JsonObject().put("agentId", agentId),
      new DeliveryOptions().setLocalOnly(true));
  }
}
