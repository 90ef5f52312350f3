package dev.kelpie.coordinator;

import dev.kelpie.coordinator.alert.AlertVerticle;
import dev.kelpie.coordinator.cluster.ClusterFront;
import dev.kelpie.coordinator.cluster.ClusterMembership;
import dev.kelpie.coordinator.cluster.FleetCounters;
import dev.kelpie.coordinator.cluster.Leases;
import dev.kelpie.coordinator.cluster.MemoryLeases;
import dev.kelpie.coordinator.cluster.NodeLocal;
import dev.kelpie.coordinator.cluster.Ownership;
import dev.kelpie.coordinator.cluster.PgLeases;
import dev.kelpie.coordinator.cluster.TakeoverReads;
import dev.kelpie.coordinator.config.ClusterSettings;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import dev.kelpie.coordinator.gateway.AgentConnections;
import dev.kelpie.coordinator.load.WindowAdvisor;
import dev.kelpie.coordinator.gateway.AgentTokens;
import dev.kelpie.coordinator.config.AccessSettings;
import dev.kelpie.coordinator.gateway.AgentGateway;
import dev.kelpie.coordinator.http.AgentBridge;
import dev.kelpie.coordinator.http.ApiGuards;
import dev.kelpie.coordinator.http.ApiRouter;
import dev.kelpie.coordinator.http.CsrfGuard;
import dev.kelpie.coordinator.http.DashboardRoutes;
import dev.kelpie.coordinator.http.FrontDoor;
import dev.kelpie.coordinator.http.Gatekeeper;
import dev.kelpie.coordinator.http.HealthRoutes;
import dev.kelpie.coordinator.http.HttpVerticle;
import dev.kelpie.coordinator.http.LiveBridge;
import dev.kelpie.coordinator.http.PortOpening;
import dev.kelpie.coordinator.http.ProblemTranslation;
import dev.kelpie.coordinator.http.Routes;
import dev.kelpie.coordinator.http.SessionSetup;
import dev.kelpie.coordinator.metrics.CoordinatorMetrics;
import dev.kelpie.coordinator.metrics.PrometheusConventions;
import dev.kelpie.coordinator.policy.FleetState;
import dev.kelpie.coordinator.policy.PolicyVerticle;
import dev.kelpie.coordinator.store.DecisionJournal;
import dev.kelpie.coordinator.store.MemoryStore;
import dev.kelpie.coordinator.store.PgStore;
import dev.kelpie.coordinator.store.RetentionVerticle;
import dev.kelpie.coordinator.store.Store;
import dev.kelpie.coordinator.store.StoreWriter;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.pgclient.PgConnectOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** The coordinator's verticles, deployed in order: the policy first, so agents never connect to nobody. */
public final class Coordinator {

  private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

  private final Vertx vertx;
  private final HttpVerticle http;
  private final long epoch;

  private Coordinator(Vertx vertx, HttpVerticle http, long epoch) {
    this.vertx = vertx;
    this.http = http;
    this.epoch = epoch;
  }

  /** A Vert.x whose own meters (event loops, HTTP, event bus) go to {@code registry}, beside Kelpie's. */
  public static Vertx newVertx(PrometheusMeterRegistry registry) {
    return builder(registry, new VertxOptions()).build();
  }

  /** As {@link #newVertx(PrometheusMeterRegistry)}, joined to the other coordinators when {@code cluster} is on. */
  public static Future<Vertx> newVertx(PrometheusMeterRegistry registry, ClusterSettings cluster) {
    if (!cluster.enabled()) {
      return Future.succeededFuture(newVertx(registry));
    }
    log.info("joining cluster {} on {}:{}, members {}", cluster.name(), cluster.host(), cluster.port(),
      cluster.members());
    ClusterManager manager = ClusterMembership.manager(cluster);
    return builder(registry, new VertxOptions().setEventBusOptions(ClusterMembership.eventBus(cluster)))
      .withClusterManager(manager)
      .buildClustered()
      .onSuccess(joined -> NodeLocal.install(joined.eventBus()))
      .onSuccess(joined -> log.info("cluster {}: joined as node {}; {} member(s)", cluster.name(), manager.getNodeId(),
        manager.getNodes().size()));
  }

  /** Linux's epoll when Netty's native transport loads (as the agent), else the JDK's selector. */
  private static VertxBuilder builder(PrometheusMeterRegistry registry, VertxOptions options) {
    return Vertx.builder()
      .with(options.setPreferNativeTransport(true)
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)))
      .withMetrics(new MicrometerMetricsFactory(registry));
  }

  /**
   * Opens the store (migrations, a new epoch), restores the fleet's state from it, then deploys the policy and, last,
   * the HTTP port, so no agent is heard before the coordinator knows what it knew.
   */
  public static Future<Coordinator> deploy(Vertx vertx, CoordinatorConfig config, Clock clock,
                                           PrometheusMeterRegistry registry) {
    Store store = openStore(vertx, config.store());
    CoordinatorMetrics metrics = new CoordinatorMetrics(registry);
    DecisionJournal journal = config.store().postgres() ? new DecisionJournal(vertx, config.store().journal()) : null;
    return store.open(clock.millis()).compose(epoch -> (journal == null ? Future.succeededFuture(0)
      : journal.replayInto(store)).compose(replayed -> store.restore()).compose(restored -> {
      FleetState fleet = new FleetState(epoch, config.commands().ttl(), config.commands().answerTimeout(),
        () -> UUID.randomUUID().toString(), config.lostAfter(), metrics)
        .alerting(config.alerts().repeatInterval(), config.alerts().maintenance())
        .rules(config.rules());
      fleet.restore(restored, clock.instant());
      Map<String, Long> committed = new HashMap<>();
      restored.agents().forEach((id, agent) -> committed.put(id, agent.lastSeq()));
      // half the pool writes (a transaction per lane of agents), the rest serves reads and the alert outbox
      int lanes = config.store().postgres() ? Math.max(1, config.store().poolSize() / 2) : 1;
      StoreWriter writer = new StoreWriter(vertx, store, config.store().backlog(), Duration.ofSeconds(1),
        config.store().writeTimeout(), lanes, StoreWriter.LINGER, registry);
      WindowAdvisor advisor = new WindowAdvisor(config.gateway().windowAdvice(), registry);
      PortShares shares = new PortShares(new AgentConnections(), new Gatekeeper(vertx, config.access()),
        CsrfGuard.randomSecret(), new ConcurrentHashMap<>(), advisor);
      // a port of 0 is "any free one": -1 makes the loops share the one the first of them picks
      CoordinatorConfig.Http port = config.http().port() == 0 && config.http().eventLoops() > 1
        ? config.http().withPort(-1) : config.http();
      List<HttpVerticle> loops = new CopyOnWriteArrayList<>();
      PortOpening opening = new PortOpening(config.http().eventLoops());
      Supplier<HttpVerticle> loop = () -> {
        HttpVerticle http = new HttpVerticle(port, config.tls(), config.gateway().maxFrameBytes(),
          listening -> routes(vertx, config, registry, store, listening, shares), shares.openByAddress(), opening);
        loops.add(http);
        return http;
      };
      ClusterManager cluster = config.cluster().enabled() ? ((VertxInternal) vertx).clusterManager() : null;
      Leases leases = cluster == null ? null : leases(vertx, store, cluster.getNodeId(), config.cluster(), clock);
      Ownership ownership = leases == null ? Ownership.alone(epoch)
        : Ownership.clustered(vertx, leases, epoch, config.cluster().leaseTerm()).watchOrphans(cluster::getNodes);
      if (cluster != null) {
        ClusterMembership.watch(cluster, ownership::peerLeft, ownership::peerJoined);
      }
      // the fleet rules count the whole fleet: each node's share every 250 ms and on change, dropped after 3 s unheard
      FleetCounters counters = cluster == null ? null
        : new FleetCounters(cluster, Duration.ofMillis(250), Duration.ofSeconds(3));
      return vertx.deployVerticle(new AlertVerticle(config.alerts(), store.outbox(), clock, registry))
        .compose(alerts -> vertx.deployVerticle(new PolicyVerticle(fleet, clock, Duration.ofMillis(250),
          metrics::levels, writer, committed, journal, ownership, leases == null ? null : new TakeoverReads(vertx, store),
          counters, advisor)))
        .compose(policy -> leases == null ? Future.succeededFuture()
          : vertx.deployVerticle(new ClusterFront(leases, cluster)))
        .compose(policy -> vertx.deployVerticle(new RetentionVerticle(store, clock, config.store().keepSuccesses(),
          config.store().keepFailures(), Duration.ofHours(1))))
        // all the port's loops at once, side by side; they listen only when all have their routes (PortOpening)
        .compose(retention -> vertx.deployVerticle(loop, new DeploymentOptions()
          .setInstances(config.http().eventLoops())))
        .map(httpId -> new Coordinator(vertx, loops.get(0), epoch));
    })).onFailure(failure -> store.close());
  }

  /**
   * The port's concerns, in the order they are mounted: the front door (headers, Host), the agents' bridge, metrics
   * and probes, the dashboard, the API's guards, the live bridge (behind the same sessions and gatekeeper), then the
   * API's routes.
   */
  private static List<Routes> routes(Vertx vertx, CoordinatorConfig config, PrometheusMeterRegistry registry,
                                     Store store, BooleanSupplier listening, PortShares shares) {
    AccessSettings access = config.access();
    Gatekeeper gatekeeper = shares.gatekeeper();
    SessionHandler sessions = SessionSetup.sessions(vertx, access);
    return List.of(
      new FrontDoor(config.http().host(), access),
      new AgentBridge(vertx, new AgentGateway(vertx, new AgentTokens(config.agents(), config.tls().agentAuth()),
        shares.connections(), shares.advisor()), config.gateway().pingTimeout(), config.gateway().maxFrameBytes()),
      new HealthRoutes(vertx, registry, listening),
      new DashboardRoutes(),
      new ApiGuards(sessions, new CsrfGuard(vertx, access, shares.csrfSecret()), gatekeeper, new ProblemTranslation()),
      new LiveBridge(vertx, sessions, gatekeeper),
      new ApiRouter(vertx, gatekeeper, store));
  }

  /**
   * Agent ownership among clustered coordinators: in PostgreSQL, the one place they all agree on (on a small pool of
   * its own, so a renewal never waits behind the history's writes). With the in-memory store each node can only grant
   * itself every agent: clustering then splits nothing safely, and says so.
   */
  private static Leases leases(Vertx vertx, Store store, String node, ClusterSettings cluster, Clock clock) {
    if (store instanceof PgStore pg) {
      return new PgLeases(pg.ownPool(2), node, cluster.leaseTerm());
    }
    log.warn("cluster {} without a database: agent ownership is not shared between coordinators, so an agent may be "
      + "acted on by two of them; give every coordinator the same store.postgres", cluster.name());
    return new MemoryLeases(node, cluster.leaseTerm(), clock);
  }

  /**
   * What the port's event loops (one {@link HttpVerticle} each, with routes of its own) share, so the port behaves as
   * one: each agent's one connection, the login throttle, the CSRF secret, the connections per client address, and
   * the batch window advice, which watches every loop's lag.
   */
  private record PortShares(AgentConnections connections, Gatekeeper gatekeeper, String csrfSecret,
                            ConcurrentMap<String, Integer> openByAddress, WindowAdvisor advisor) {
  }

  private static Store openStore(Vertx vertx, CoordinatorConfig.StoreSettings settings) {
    if (!settings.postgres()) {
      log.warn("no database configured: history is kept in memory and will not survive a restart");
      return new MemoryStore();
    }
    PgConnectOptions connect = PgConnectOptions.fromUri(settings.postgresUrl().replaceFirst("^postgres://",
      "postgresql://"));
    return new PgStore(vertx, connect, settings.schema(), settings.poolSize());
  }

  /** The registry behind /metrics, publishing Kelpie's meters by {@link PrometheusConventions}. */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new PrometheusConventions());
    return registry;
  }

  public int port() {
    return http.actualPort();
  }

  public long epoch() {
    return epoch;
  }

  public Vertx vertx() {
    return vertx;
  }
}
