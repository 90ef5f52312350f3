package dev.kelpie.shared.policy;

/** What the policy asks for after an input: nothing, a restart of the check's service, or giving up on it. */
public record Decision(Kind kind, String reason) {

  public enum Kind {
    NONE,
    RESTART,
    GIVE_UP
  }

  public static final Decision NONE = new Decision(Kind.NONE, null);

  public static Decision restart(String reason) {
    return new Decision(Kind.RESTART, reason);
  }

  public static Decision giveUp(String reason) {
    return new Decision(Kind.GIVE_UP, reason);
  }

  public boolean isNone() {
    return kind == Kind.NONE;
  }
}
