package dev.kelpie.coordinator.config;

import dev.kelpie.coordinator.access.Passwords;
import at.favre.lib.crypto.bcrypt.BCrypt;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccessSettingsTest {

  private static final String HASH = "$2a$12$VtgFUUnGqBMbgxCAjr5mB.xLodUna9el9u6NBJEIVUlge2ykwgM/i";

  @Test
  @DisplayName("users, tokens and switches are read as written; absent, nothing is open")
  void read() {
    AccessSettings access = CoordinatorConfig.fromYaml("access:\n"
      + "  users: [{name: olga, role: operator, passwordHash: \"" + HASH + "\"}]\n"
      + "  tokens: [{name: ci, role: viewer, tokenSha256: " + "ab".repeat(32) + "}]\n"
      + "  localViewing: true\n  secureCookies: false\n  sessionTimeout: 2h\n", "c.yaml", Map.of()).access();
    assertThat(access.users()).singleElement().extracting(AccessSettings.User::role)
      .isEqualTo(AccessSettings.Role.OPERATOR);
    assertThat(access.users().toString()).doesNotContain(HASH);
    assertThat(access.tokens().get(0).role()).isEqualTo(AccessSettings.Role.VIEWER);
    assertThat(access.localViewing()).isTrue();
    assertThat(access.secureCookies()).isFalse();
    assertThat(access.sessionTimeout()).isEqualTo(Duration.ofHours(2));

    AccessSettings none = CoordinatorConfig.fromYaml("", "c.yaml", Map.of()).access();
    assertThat(none.open()).isFalse();
    assertThat(none.secureCookies()).isTrue();
  }

  @Test
  @DisplayName("every mistake is named with its path")
  void errors() {
    assertThatThrownBy(() -> CoordinatorConfig.fromYaml("""
        access:
          users:
            - {name: olga, role: admin, passwordHash: hunter2}
            - {name: olga, role: viewer}
          tokens:
            - {name: ci, role: operator, tokenSha256: "not-a-digest"}
          sessionTimeout: 10s
          localViewing: maybe
        """, "c.yaml", Map.of()))
      .hasMessageContaining("access.users[0].role")
      .hasMessageContaining("expected viewer or operator, got \"admin\"")
      .hasMessageContaining("access.users[0].passwordHash").hasMessageContaining("hash-password")
      .hasMessageContaining("access.users[1].name").hasMessageContaining("duplicate name 'olga'")
      .hasMessageContaining("access.users[1].passwordHash").hasMessageContaining("missing")
      .hasMessageContaining("access.tokens[0].tokenSha256").hasMessageContaining("sha256sum")
      .hasMessageContaining("access.sessionTimeout")
      .hasMessageContaining("access.localViewing");
  }

  @Test
  @DisplayName("bcrypt hashes from htpasswd ($2y$) and from hash-password match their password, and nothing else")
  void passwords() {
    String ours = Passwords.hash("correct horse".toCharArray());
    assertThat(ours).startsWith("$2a$12$");
    assertThat(Passwords.matches("correct horse", ours)).isTrue();
    assertThat(Passwords.matches("correct horse!", ours)).isFalse();
    String htpasswd = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(5, "battery staple".toCharArray());
    assertThat(Passwords.matches("battery staple", htpasswd)).isTrue();
    assertThat(Passwords.matches("battery staple", null)).as("unknown user").isFalse();
    assertThat(Passwords.matches("x".repeat(80), ours)).as("past bcrypt's 72 bytes").isFalse();
    assertThat(CoordinatorConfig.fromYaml("access: {users: [{name: u, role: viewer, passwordHash: \"" + htpasswd
      + "\"}]}", "c.yaml", Map.of()).access().users()).hasSize(1);
  }
}
