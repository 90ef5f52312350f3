package dev.kelpie.shared.message;

import dev.kelpie.shared.policy.CheckRules;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A check's type is an open set of names: what a newer agent announces, an older coordinator reads. */
class CheckSpecTest {

  @Test
  @DisplayName("a check of a type this build has never heard of survives the wire as it was sent")
  void unknownTypeRoundTrips() {
    CheckSpec spec = new CheckSpec("q", CheckType.of("quantum"), null, "qpu0", PolicySpec.defaults(),
      Map.of("team", "physics"));
    JsonObject json = spec.toJson();
    assertThat(json.getString("type")).isEqualTo("quantum");
    assertThat(CheckSpec.fromJson(json)).isEqualTo(spec);
  }

  @Test
  @DisplayName("the built-in types keep their JSON form: lower-case names")
  void builtInTypesOnTheWire() {
    CheckSpec spec = new CheckSpec("web", CheckType.HTTP, "svc", "GET /", PolicySpec.defaults());
    assertThat(spec.toJson().getString("type")).isEqualTo("http");
    assertThat(CheckSpec.fromJson(spec.toJson().put("type", "HTTP")).type()).isEqualTo(CheckType.HTTP);
  }

  @ParameterizedTest
  @ValueSource(strings = {"smoke signal", "7up", "<script>", "a-name-that-goes-on-and-on-and-on-and-on-forever"})
  @DisplayName("a type that is not a plain name is refused, naming the field")
  void badTypeName(String name) {
    JsonObject json = new CheckSpec("c", CheckType.TCP, null, "tcp", PolicySpec.defaults()).toJson()
      .put("type", name);
    assertThatThrownBy(() -> CheckSpec.fromJson(json)).isInstanceOf(MessageFormatException.class)
      .hasMessageStartingWith("type: expected a type name");
  }

  @Test
  @DisplayName("a missing type is refused, naming the field")
  void missingType() {
    JsonObject json = new CheckSpec("c", CheckType.TCP, null, "tcp", PolicySpec.defaults()).toJson();
    json.remove("type");
    assertThatThrownBy(() -> CheckSpec.fromJson(json)).hasMessageStartingWith("type: expected a non-empty string");
  }

  @Test
  @DisplayName("dependsOn, shadow mode and a budget of its own survive the wire; a check without them is sent as"
    + " before, so an older coordinator reads it")
  void fleetRulesRoundTrip() {
    CheckSpec spec = new CheckSpec("app", CheckType.HTTP, "app", "GET /", PolicySpec.defaults(), Map.of(),
      new CheckRules(List.of("db", "db-host/db"), true, true));
    JsonObject json = spec.toJson();
    assertThat(json.getString("mode")).isEqualTo("shadow");
    assertThat(json.getString("budgetScope")).isEqualTo("check");
    assertThat(CheckSpec.fromJson(json)).isEqualTo(spec);
    JsonObject plain = new CheckSpec("web", CheckType.HTTP, "svc", "GET /", PolicySpec.defaults()).toJson();
    assertThat(plain.fieldNames()).doesNotContain("dependsOn", "mode", "budgetScope");
    assertThat(CheckSpec.fromJson(plain).rules()).isEqualTo(CheckRules.DEFAULT);
  }

  @Test
  @DisplayName("a wrong mode or dependsOn is refused, naming the field")
  void badFleetRules() {
    JsonObject json = new CheckSpec("c", CheckType.TCP, null, "tcp", PolicySpec.defaults()).toJson();
    assertThatThrownBy(() -> CheckSpec.fromJson(json.copy().put("mode", "maybe")))
      .hasMessageStartingWith("mode: expected enforce or shadow");
    assertThatThrownBy(() -> CheckSpec.fromJson(json.copy().put("dependsOn", "db")))
      .hasMessageStartingWith("dependsOn: expected a list");
  }
}
