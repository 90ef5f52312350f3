package dev.kelpie.coordinator.gateway;

import dev.kelpie.coordinator.access.BearerToken;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import dev.kelpie.coordinator.config.TlsSettings;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which agent a connection belongs to: by its bearer token, by its client certificate (the CN of the subject, as Sensu
 * and Consul take it; the TLS layer has already checked it against {@code tls.agentCa}), or both, as
 * {@code tls.agentAuth} says. Tokens are kept only as SHA-256 digests, and a presented token is looked up by its
 * digest: one hash per connection, however large the fleet, and no comparison on the secret itself. An agent's
 * previous token stays valid beside its new one while agents are moved over (rotation).
 */
public final class AgentTokens {

  private static final Logger log = LoggerFactory.getLogger(AgentTokens.class);

  private final Map<String, String> agentByDigest = new HashMap<>();
  private final Set<String> agentIds = new HashSet<>();
  private final TlsSettings.AgentAuth auth;

  public AgentTokens(List<CoordinatorConfig.AgentCredential> credentials) {
    this(credentials, TlsSettings.AgentAuth.TOKEN);
  }

  public AgentTokens(List<CoordinatorConfig.AgentCredential> credentials, TlsSettings.AgentAuth auth) {
    this.auth = auth;
    for (CoordinatorConfig.AgentCredential credential : credentials) {
      agentIds.add(credential.id());
      String digest = credential.tokenSha256() != null ? credential.tokenSha256()
        : credential.token() != null ? BearerToken.sha256(credential.token()) : null;
      if (digest != null) {
        agentByDigest.put(digest, credential.id());
      }
      if (credential.previousTokenSha256() != null) {
        agentByDigest.putIfAbsent(credential.previousTokenSha256(), credential.id());
      }
    }
  }

  /** The agent id for this token, or null when the token is missing or matches no agent. */
  public String identify(Optional<BearerToken> token) {
    return token.filter(presented -> !presented.token().isEmpty())
      .map(presented -> agentByDigest.get(presented.digest())).orElse(null);
  }

  /** The agent this bridge connection is, by what {@code tls.agentAuth} asks it to show; null when it is nobody. */
  public String identify(SockJSSocket socket) {
    String byToken = auth.acceptsToken() ? identify(BearerToken.parse(socket.headers().get("Authorization"))) : null;
    String byCertificate = auth == TlsSettings.AgentAuth.TOKEN ? null : certificateIdentity(socket);
    return switch (auth) {
      case TOKEN -> byToken;
      case CERTIFICATE -> byCertificate;
      case EITHER -> byToken != null ? byToken : byCertificate;
      case BOTH -> {
        if (byToken != null && byCertificate != null && !byToken.equals(byCertificate)) {
          log.atWarn().addKeyValue("remote", socket.remoteAddress()).log("token of agent '{}' with the certificate "
            + "of agent '{}'", byToken, byCertificate);
        }
        yield byToken != null && byToken.equals(byCertificate) ? byToken : null;
      }
    };
  }

  /** The configured agent named by the CN of the verified client certificate, or null. */
  private String certificateIdentity(SockJSSocket socket) {
    RoutingContext ctx = socket.routingContext();
    SSLSession session = ctx == null ? null : ctx.request().sslSession();
    if (session == null) {
      return null;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return null;
      }
      String cn = commonName(leaf.getSubjectX500Principal().getName());
      if (cn != null && !agentIds.contains(cn)) {
        log.atWarn().addKeyValue("remote", socket.remoteAddress())
          .log("a client certificate for '{}', which is not one of agents:", cn);
        return null;
      }
      return cn;
    } catch (SSLPeerUnverifiedException e) {
      return null;   // no client certificate: only a token can say who it is
    }
  }

  static String commonName(String subject) {
    try {
      for (Rdn rdn : new LdapName(subject).getRdns()) {
        if ("CN".equalsIgnoreCase(rdn.getType())) {
          return String.valueOf(rdn.getValue());
        }
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return null;
  }
}
