package dev.kelpie.agent.config;

import dev.kelpie.agent.probe.ExecAllowList;
import dev.kelpie.agent.probe.ProbeKind;
import dev.kelpie.agent.probe.ProbeKinds;
import dev.kelpie.agent.probe.ProbeTarget;
import dev.kelpie.shared.config.ConfigNode;
import dev.kelpie.shared.config.PolicyReader;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.policy.CheckRules;
import dev.kelpie.shared.rules.AgentRules;
import dev.kelpie.shared.policy.PolicySpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads one entry of {@code checks:}, given the services it may name: the keys every check has here, the keys of
 * its kind by that kind's reader (see {@link ProbeKinds}). The agent runs only kinds it knows: any other type is an
 * error in its own config.
 */
final class CheckReader {

  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  private final ProbeKinds kinds;
  private final ExecAllowList execAllow;
  private final PolicySpec defaults;
  private final Set<String> services;
  private final Set<String> ids = new HashSet<>();
  private final Map<String, String> agentLabels;

  CheckReader(ProbeKinds kinds, ExecAllowList execAllow, PolicySpec defaults, Set<String> services,
              Map<String, String> agentLabels) {
    this.kinds = kinds;
    this.execAllow = execAllow;
    this.defaults = defaults;
    this.services = services;
    this.agentLabels = agentLabels;
  }

  AgentConfig.CheckConfig read(ConfigNode node) {
    String id = node.id("id");
    ProbeKind<?> kind = kind(node);
    if (kind == null) {
      node.ignoreRest();
      return null;
    }
    String service = service(node);
    checkId(node, id, kind.type(), service);
    Duration interval = node.optionalDuration("interval", defaults.interval());
    Duration timeout = node.optionalDuration("timeout", TIMEOUT);
    ProbeTarget target = kind.reader().read(node, new ProbeKind.CheckBasics(service, timeout, execAllow));
    refuseKeysOfOtherKinds(node, kind);
    boolean[] remediate = {false};
    PolicySpec policy = PolicyReader.read(node, "policy", defaults, interval, timeout,
      section -> remediate[0] = remediates(section, kind.type()));
    if (service == null && policy.restart() && !remediate[0]) {
      policy = reportOnly(policy);
    }
    Map<String, String> labels = new TreeMap<>(agentLabels);
    labels.putAll(node.optionalStringMap("labels"));
    if (id != null) {
      announceable(node, new CheckSpec(id, kind.type(), service, target.describe(), policy, labels));
    }
    CheckRules rules = rules(node, id);
    return new AgentConfig.CheckConfig(id, kind.type(), service, policy, target, labels,
      new CheckRules(rules.dependsOn(), rules.shadow(), rules.ownBudget(), remediate[0]));
  }

  /** {@code policy.action}: restart (the default) or remediate, which only a check that can remediate (jobs) has. */
  private static boolean remediates(ConfigNode policy, CheckType type) {
    String action = policy.optionalString("action", "restart");
    if (!action.equals("restart") && !action.equals("remediate")) {
      policy.problem("action", "expected restart or remediate, got \"" + action + "\"");
      return false;
    }
    if (action.equals("remediate") && !CheckType.of("jobs").equals(type)) {
      policy.problem("action", "remediate is only for jobs checks (this is a " + type + " check); expected restart");
      return false;
    }
    return action.equals("remediate");
  }

  /** {@code dependsOn}, {@code mode} and {@code budgetScope}: what the coordinator's fleet rules need of a check. */
  private static CheckRules rules(ConfigNode node, String id) {
    List<String> dependsOn = node.optionalStringList("dependsOn", "[db] or [db-host/db]");
    if (dependsOn != null) {
      for (int i = 0; i < dependsOn.size(); i++) {
        if (dependsOn.get(i).isBlank() || dependsOn.get(i).equals(id)) {
          node.problem("dependsOn[" + i + "]", "expected another check's id (or agent/check), got '"
            + dependsOn.get(i) + "'");
        }
      }
    }
    String mode = node.optionalString("mode", "enforce");
    if (!mode.equals("enforce") && !mode.equals("shadow")) {
      node.problem("mode", "expected enforce or shadow, got \"" + mode + "\"");
    }
    String scope = node.optionalString("budgetScope", "service");
    if (!scope.equals("service") && !scope.equals("check")) {
      node.problem("budgetScope", "expected service or check, got \"" + scope + "\"");
    }
    return new CheckRules(dependsOn, mode.equals("shadow"), scope.equals("check"));
  }

  /**
   * The coordinator refuses a hello whose check breaks {@link AgentRules}: the same rules here, so an agent that
   * starts is never refused. What {@link PolicyReader} reported already is not repeated.
   */
  private static void announceable(ConfigNode node, CheckSpec check) {
    List<String> reported = check.policy().problems();
    for (String problem : AgentRules.check(check)) {
      int colon = problem.indexOf(": ");
      String field = problem.substring(0, colon);
      String what = problem.substring(colon + 2);
      if (field.startsWith("policy.") && reported.contains(problem.substring("policy.".length()))) {
        continue;
      }
      switch (field) {
        case "policy.interval", "policy.timeout" -> node.problem(field.substring("policy.".length()), what);
        case "target" -> node.problem("", "its target, " + what);
        default -> node.problem(field.startsWith("labels") ? "labels" : field, what);
      }
    }
  }

  private ProbeKind<?> kind(ConfigNode node) {
    String name = node.string("type", kinds.namesInWords());
    if (name == null) {
      return null;
    }
    ProbeKind<?> kind = name.isBlank() ? null : kinds.named(CheckType.of(name)).orElse(null);
    if (kind == null) {
      node.problem("type", "expected " + kinds.namesInWords() + ", got \"" + name + "\"");
    }
    return kind;
  }

  private String service(ConfigNode node) {
    String service = node.optionalString("service", null);
    if (service != null && !services.contains(service)) {
      node.problem("service", "no service named '" + service + "' ("
        + (services.isEmpty() ? "no services are configured" : "services: " + String.join(", ", services)) + ")");
    }
    return service;
  }

  /** Ids are unique, and {@code <service>.process} belongs to that service's own process check. */
  private void checkId(ConfigNode node, String id, CheckType type, String service) {
    if (id == null) {
      return;
    }
    if (!ids.add(id)) {
      node.problem("id", "duplicate check id '" + id + "'");
    }
    String owner = id.endsWith(".process") ? id.substring(0, id.length() - ".process".length()) : null;
    if (owner != null && services.contains(owner) && !(CheckType.PROCESS.equals(type) && owner.equals(service))) {
      node.problem("id", "'" + id + "' is kept for the process check of service " + owner + "; choose another id");
    }
  }

  private void refuseKeysOfOtherKinds(ConfigNode node, ProbeKind<?> kind) {
    Map<String, List<String>> owners = new TreeMap<>();
    kinds.all().forEach(other -> other.keys().forEach(key ->
      owners.computeIfAbsent(key, k -> new ArrayList<>()).add(other.type().name())));
    owners.forEach((key, types) -> {
      if (!kind.keys().contains(key) && node.has(key)) {
        types.sort(null);
        String article = "aeiou".indexOf(kind.type().name().charAt(0)) >= 0 ? "an " : "a ";
        node.problem(key, "not a key of " + article + kind.type() + " check (it belongs to "
          + String.join(" and ", types) + " checks)");
        node.ignore(key);
      }
    });
  }

  private static PolicySpec reportOnly(PolicySpec p) {
    return new PolicySpec(p.interval(), p.timeout(), p.failureThreshold(), p.window(), p.successThreshold(),
      p.startupGrace(), p.waitForFirstHealthy(), p.startupDeadline(), p.budget(), p.backoff(), false);
  }
}
