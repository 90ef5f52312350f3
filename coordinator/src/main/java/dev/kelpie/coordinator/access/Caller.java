package dev.kelpie.coordinator.access;

import dev.kelpie.coordinator.config.AccessSettings.Role;
import io.vertx.core.json.JsonObject;

/** Who is asking: a logged-in person, a script with a token, or anyone on this machine when local viewing is on. */
public record Caller(String name, Role role, How how) {

  public enum How { SESSION, TOKEN, LOCAL }

  /** The anonymous local viewer; its name is what history would record, but it may not act. */
  public static final Caller LOCAL = new Caller("local", Role.VIEWER, How.LOCAL);

  public boolean mayAct() {
    return role == Role.OPERATOR;
  }

  public JsonObject toJson() {
    return new JsonObject().put("user", name).put("role", role.label()).put("local", how == How.LOCAL);
  }
}
