package dev.kelpie.shared.bus;

/**
 * Every event-bus address Kelpie uses, in one place. Agent and coordinator never spell an address.
 */
public final class Addresses {

  /** Agent to coordinator, over the bridge: an {@code AgentHello}; the reply is a {@code HelloReply}. */
  public static final String AGENT_HELLO = "kelpie.agent.hello";

  /** Agent to coordinator, over the bridge: a {@code ReportBatch}; the reply is a {@code ReportAck}. */
  public static final String AGENT_REPORTS = "kelpie.agent.reports";

  /** Agent to coordinator, over the bridge: a {@code Keepalive} with the agent's vitals; no reply, never replayed. */
  public static final String AGENT_KEEPALIVE = "kelpie.agent.keepalive";

  /** Coordinator internal: fleet-level events for people ({@code FleetEvent}: agent lost, agent back). */
  public static final String FLEET_EVENTS = "kelpie.fleet.events";

  /** Prefix of every agent's command address; see {@link #agentCommands(String)}. */
  public static final String AGENT_COMMANDS_PREFIX = "kelpie.commands.";

  /** Regex matching every agent's command address, for the bridge's outbound permissions. */
  public static final String AGENT_COMMANDS_REGEX = "kelpie\\.commands\\..+";

  /** Coordinator internal: the gateway announces that an agent's connection closed (an {@code AgentLink}). */
  public static final String GATEWAY_AGENT_LINK = "kelpie.gateway.agent-link";

  /**
   * Coordinator internal, published on one node only: give up an agent's connection here ({@code {agentId}}), its
   * lease having passed to another coordinator.
   */
  public static final String GATEWAY_AGENT_DROP = "kelpie.gateway.agent-drop";

  /**
   * Between clustered coordinators: prefix of each node's own addresses ({@code <prefix><node>.operator},
   * {@code <prefix><node>.snapshot}); see {@link #nodeOperator(String)} and {@link #nodeSnapshot(String)}.
   */
  public static final String NODE_PREFIX = "kelpie.node.";

  /**
   * Between clustered coordinators, published to every node: each node's share of the fleet's counts (restarts
   * running and waiting, hosts failing per shared cause), every 250 ms and on change. Under {@link #NODE_PREFIX}, so
   * it crosses nodes.
   */
  public static final String FLEET_SHARES = NODE_PREFIX + "shares";

  /** Coordinator internal: the current state of every agent and check, asked by the HTTP API. */
  public static final String POLICY_SNAPSHOT = "kelpie.policy.snapshot";

  /** Coordinator internal: is the policy verticle answering? (for /ready) */
  public static final String POLICY_PING = "kelpie.policy.ping";

  /**
   * Coordinator internal: a person's request (restart/stop/start a service, reset a check, silence), request/reply;
   * see {@code OperatorRequest}. Failures carry 400, 404 or 409.
   */
  public static final String OPERATOR = "kelpie.operator";

  /**
   * Coordinator, published to dashboards (through the {@code /live} bridge): checks and agents whose state changed,
   * {@code {time, checks, agents}}, at most every 250 ms.
   */
  public static final String DASHBOARD_CHANGES = "kelpie.dashboard.changes";

  /** Coordinator internal: alerts committed to the outbox, for the dispatcher to route and deliver. */
  public static final String ALERTS_RAISED = "kelpie.alerts.raised";

  /** Agent internal: a report (probe result, process event, command result) waiting to be numbered and sent. */
  public static final String LOCAL_REPORT = "kelpie.local.report";

  /** Agent internal: a command for the supervisor, which answers with a {@code CommandResult}. */
  public static final String LOCAL_COMMAND = "kelpie.local.command";

  /** Agent internal: the supervisor's view of its services, asked by the uplink for the hello. */
  public static final String LOCAL_SERVICES = "kelpie.local.services";

  /** Agent internal: a service was started or stopped on purpose, so the probes pause or resume its checks. */
  public static final String LOCAL_SERVICE_STATE = "kelpie.local.service-state";

  /**
   * Agent internal: remediate what a check found (stuck jobs), or list it in a dry run. Body {@code {checkId, dryRun,
   * by, reason}}; the reply {@code {checkId, dryRun, count, ids}}, or a failure naming why.
   */
  public static final String LOCAL_REMEDIATE = "kelpie.local.remediate";

  /**
   * Agent internal: the uplink is about to say hello; the autonomy stops deciding and answers with the policy memory
   * of the checks it acted on while alone (a JSON object by check id, maybe empty).
   */
  public static final String LOCAL_HAND_OVER = "kelpie.local.hand-over";

  /**
   * Agent internal, published by the uplink: whether a coordinator is in charge ({@code {inCharge, memory}}), with the
   * policy memory it handed over in a hello reply or an ack.
   */
  public static final String LOCAL_COORDINATOR = "kelpie.local.coordinator";

  /**
   * Agent internal: the header of a {@link #LOCAL_COMMAND} the agent decided itself (value {@code "agent"}); while one
   * runs on a service, the coordinator's commands for that service are refused as busy.
   */
  public static final String LOCAL_COMMAND_ORIGIN = "kelpie-origin";

  /** Agent internal prefix: a heartbeat check answers here when its service's last kick was; see below. */
  public static final String LOCAL_HEARTBEAT_PREFIX = "kelpie.local.heartbeat.";

  private Addresses() {
  }

  /** Where the heartbeat checks of {@code service} answer with their last kick (evidence before a kill). */
  public static String localHeartbeat(String service) {
    return LOCAL_HEARTBEAT_PREFIX + service;
  }

  /** Where a clustered coordinator takes operator requests for the agents it owns, forwarded by another node. */
  public static String nodeOperator(String node) {
    return NODE_PREFIX + node + ".operator";
  }

  /** Where a clustered coordinator answers with the state of the agents it owns, for another node's fleet view. */
  public static String nodeSnapshot(String node) {
    return NODE_PREFIX + node + ".snapshot";
  }

  /** The address on which the coordinator sends commands to one agent; only that agent may register it. */
  public static String agentCommands(String agentId) {
    return AGENT_COMMANDS_PREFIX + agentId;
  }
}
