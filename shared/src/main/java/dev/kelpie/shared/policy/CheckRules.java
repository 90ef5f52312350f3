package dev.kelpie.shared.policy;

import java.util.List;

/**
 * What a check declares for the coordinator's fleet rules, beside its policy.
 *
 * @param dependsOn  checks this one needs: a check id on the same host ({@code db}) or a check of another agent
 *                   ({@code db-host/db}); while one of them fails, this check's failures are "blocked" and never
 *                   restart its service
 * @param shadow     the policy is judged and its would-be restarts recorded and shown, but nothing is done
 * @param ownBudget  the check keeps a restart budget of its own instead of sharing its service's
 * @param remediate  crossing the threshold remediates what the check found (stuck jobs) instead of a restart
 */
public record CheckRules(List<String> dependsOn, boolean shadow, boolean ownBudget, boolean remediate) {

  public static final CheckRules DEFAULT = new CheckRules(List.of(), false, false);

  public CheckRules(List<String> dependsOn, boolean shadow, boolean ownBudget) {
    this(dependsOn, shadow, ownBudget, false);
  }

  public CheckRules {
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
  }
}
