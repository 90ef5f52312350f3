package dev.kelpie.cli.remote;

import picocli.CommandLine.Option;

import java.net.URI;

/** Which coordinator, and as whom: a token, else the session {@code kelpie login} left. */
public final class RemoteOptions {

  @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:KELPIE_URL:-http://127.0.0.1:8420}",
    description = "the coordinator (default: $KELPIE_URL, else ${DEFAULT-VALUE})")
  URI url;

  @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:KELPIE_TOKEN}",
    description = "an API token from the coordinator's access.tokens (default: $KELPIE_TOKEN, else the session of "
      + "kelpie login)")
  String token;

  @Option(names = "--session-file", paramLabel = "FILE", defaultValue = "${env:KELPIE_SESSION_FILE}",
    description = "where kelpie login keeps the session (default: $KELPIE_SESSION_FILE, else "
      + "~/.config/kelpie/session.json)")
  java.nio.file.Path sessionFile;

  public SessionFile sessionFile() {
    return sessionFile == null ? SessionFile.standard() : new SessionFile(sessionFile);
  }

  public URI url() {
    String text = url.toString();
    return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
  }

  public Api api() {
    if (token != null && !token.isBlank()) {
      return Api.withToken(url(), token);
    }
    return Api.withCookies(url(), sessionFile().cookiesFor(url()).orElse(java.util.Map.of()));
  }
}
