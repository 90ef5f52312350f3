package dev.kelpie.coordinator.config;

import dev.kelpie.shared.config.ConfigNode;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads the {@code access:} section: users, API tokens, local viewing, session settings. */
final class AccessReader {

  private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");
  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  private final Set<String> names = new HashSet<>();

  AccessSettings read(ConfigNode node) {
    AccessSettings defaults = AccessSettings.CLOSED;
    if (node == null) {
      return defaults;
    }
    List<AccessSettings.User> users = node.list("users", this::user);
    List<AccessSettings.ApiToken> tokens = node.list("tokens", this::token);
    boolean localViewing = node.optionalBool("localViewing", defaults.localViewing());
    boolean secureCookies = node.optionalBool("secureCookies", defaults.secureCookies());
    Duration sessionTimeout = node.optionalDuration("sessionTimeout", defaults.sessionTimeout());
    if (sessionTimeout != null && sessionTimeout.compareTo(Duration.ofMinutes(1)) < 0) {
      node.problem("sessionTimeout", "must be at least 1m");
    }
    List<String> hostNames = node.optionalStringList("hostNames", "[kelpie.example.com]");
    if (hostNames != null) {
      for (int i = 0; i < hostNames.size(); i++) {
        if (!HOST_NAME.matcher(hostNames.get(i)).matches()) {
          node.problem("hostNames[" + i + "]", "expected a host name or address without port, got \""
            + hostNames.get(i) + "\"");
        }
      }
    }
    int checksAtOnce = node.optionalInt("loginChecksAtOnce", AccessSettings.LOGIN_CHECKS_AT_ONCE, 1, 64);
    node.finish();
    return new AccessSettings(users, tokens, localViewing, secureCookies, sessionTimeout,
      hostNames == null ? List.of() : hostNames, checksAtOnce);
  }

  private AccessSettings.User user(ConfigNode node) {
    String name = unique(node);
    AccessSettings.Role role = role(node);
    String hash = node.string("passwordHash", "a bcrypt hash: kelpie-coordinator hash-password, or htpasswd -nbB");
    if (hash != null && !BCRYPT.matcher(hash).matches()) {
      node.problem("passwordHash", "not a bcrypt hash (expected $2a$, $2b$ or $2y$, a cost, then 53 characters; "
        + "make one with: java -jar kelpie-coordinator.jar hash-password)");
    }
    return new AccessSettings.User(name, role, hash);
  }

  private AccessSettings.ApiToken token(ConfigNode node) {
    String name = unique(node);
    AccessSettings.Role role = role(node);
    String digest = node.string("tokenSha256", "64 lowercase hex digits: printf %s \"$TOKEN\" | sha256sum");
    if (digest != null && !SHA256_HEX.matcher(digest).matches()) {
      node.problem("tokenSha256", "expected 64 lowercase hex digits (printf %s \"$TOKEN\" | sha256sum), got "
        + digest.length() + " characters");
    }
    return new AccessSettings.ApiToken(name, role, digest);
  }

  /** Users and tokens share one namespace: history records actions by this name. */
  private String unique(ConfigNode node) {
    String name = node.id("name");
    if (name != null && !names.add(name)) {
      node.problem("name", "duplicate name '" + name + "' (users and tokens share names: actions are recorded by it)");
    }
    return name;
  }

  private static AccessSettings.Role role(ConfigNode node) {
    String role = node.string("role", "viewer or operator");
    if (role == null) {
      return AccessSettings.Role.VIEWER;
    }
    try {
      return AccessSettings.Role.valueOf(role.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      node.problem("role", "expected viewer or operator, got \"" + role + "\"");
      return AccessSettings.Role.VIEWER;
    }
  }
}
