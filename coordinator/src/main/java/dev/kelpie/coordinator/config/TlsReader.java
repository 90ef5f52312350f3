package dev.kelpie.coordinator.config;

import dev.kelpie.shared.config.ConfigNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/** Reads the {@code tls:} section; the files must exist and be readable at start (their contents are Vert.x's). */
final class TlsReader {

  TlsSettings read(ConfigNode node) {
    if (node == null) {
      return TlsSettings.NONE;
    }
    Path cert = file(node, "cert", "the coordinator's certificate chain, PEM");
    Path key = file(node, "key", "its private key, PEM (PKCS#8 or PKCS#1)");
    Path agentCa = node.has("agentCa") ? file(node, "agentCa", "the CA that signs agents' client certificates") : null;
    TlsSettings.AgentAuth auth = agentAuth(node, agentCa);
    Duration reloadCheck = node.optionalDuration("reloadCheck", TlsSettings.NONE.reloadCheck());
    if (reloadCheck != null && reloadCheck.compareTo(Duration.ofSeconds(1)) < 0) {
      node.problem("reloadCheck", "must be at least 1s");
      reloadCheck = TlsSettings.NONE.reloadCheck();
    }
    node.finish();
    return new TlsSettings(cert, key, agentCa, auth, reloadCheck == null ? TlsSettings.NONE.reloadCheck()
      : reloadCheck);
  }

  private static TlsSettings.AgentAuth agentAuth(ConfigNode node, Path agentCa) {
    String text = node.optionalString("agentAuth", null);
    if (text == null) {
      return agentCa == null ? TlsSettings.AgentAuth.TOKEN : TlsSettings.AgentAuth.EITHER;
    }
    TlsSettings.AgentAuth auth;
    try {
      auth = TlsSettings.AgentAuth.valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      node.problem("agentAuth", "expected one of " + Arrays.stream(TlsSettings.AgentAuth.values())
        .map(TlsSettings.AgentAuth::key).toList() + ", got \"" + text + "\"");
      return TlsSettings.AgentAuth.TOKEN;
    }
    if (auth != TlsSettings.AgentAuth.TOKEN && agentCa == null) {
      node.problem("agentAuth", auth.key() + " needs tls.agentCa (the CA that signs the agents' certificates)");
    }
    return auth;
  }

  private static Path file(ConfigNode node, String key, String expected) {
    String text = node.string(key, expected);
    if (text == null) {
      return null;
    }
    Path path = Path.of(text);
    if (!Files.isReadable(path)) {
      node.problem(key, "cannot read " + path.toAbsolutePath() + " (" + expected + ")");
    }
    return path;
  }
}
