package dev.kelpie.agent.supervise;

import dev.kelpie.agent.supervise.manager.ManagedState;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.rules.Limits;

import java.time.Instant;
import java.util.Objects;

/**
 * What a service's manager said last, and why it could not be asked since: its own view, shown beside Kelpie's on the
 * service's info and its process events, within what the coordinator takes (a manager's words are not ours to bound).
 */
final class ManagerWord {

  private final ServiceInfo.Manager manager;
  private ManagedState said;
  private Instant saidAt;
  private String problem;

  ManagerWord(ServiceInfo.Manager manager) {
    this.manager = manager;
  }

  /** It answered; true when it had not, last time. */
  boolean answered(ManagedState state, Instant at) {
    said = state;
    saidAt = at;
    boolean again = problem != null;
    problem = null;
    return again;
  }

  /** It could not be asked, or could not do what it was asked; true when that is news. */
  boolean failed(String why) {
    boolean news = !Objects.equals(why, problem);
    problem = why;
    return news;
  }

  ServiceInfo.Manager view() {
    ServiceInfo.Manager saying = said == null ? manager
      : manager.saying(clamped(said.state(), Limits.MAX_MANAGER_STATE), said.pid(), said.exitCode(), saidAt);
    return problem == null ? saying : saying.failing(clamped(problem, Limits.MAX_DETAIL));
  }

  /** Whether it says something else than {@code shown} did (when it said it aside). */
  boolean newerThan(ServiceInfo.Manager shown) {
    ServiceInfo.Manager now = view();
    return shown == null || !Objects.equals(now.state(), shown.state()) || !Objects.equals(now.pid(), shown.pid())
      || !Objects.equals(now.exitCode(), shown.exitCode()) || !Objects.equals(now.problem(), shown.problem());
  }

  private static String clamped(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max - 3) + "...";
  }
}
