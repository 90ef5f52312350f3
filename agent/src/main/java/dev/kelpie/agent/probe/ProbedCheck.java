package dev.kelpie.agent.probe;

import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.policy.PolicySpec;

/** What the runner needs of a configured check (the agent's config record provides it). */
public interface ProbedCheck {

  String id();

  CheckType type();

  /** The supervised service the check belongs to, or null. */
  String service();

  PolicySpec policy();

  ProbeTarget target();
}
