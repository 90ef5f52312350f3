package dev.kelpie.coordinator.e2e;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** A check's command line can hold a secret: a viewer sees the program, an operator sees all. */
class ViewerArgumentsTest {

  private static final String AGENT = "args-host";
  private static final String VIEWER_TOKEN = "args-viewer-token";

  private Fleet fleet;

  @AfterEach
  void stop() {
    fleet.close();
  }

  @Test
  @DisplayName("a viewer sees an exec check's program without its arguments; an operator sees the whole command line")
  void viewerSeesProgramOnly() throws Exception {
    fleet = new Fleet();
    fleet.access(Fleet.accessWithUsers("    - {name: args-viewer, role: viewer, tokenSha256: "
      + Fleet.sha256(VIEWER_TOKEN) + "}\n"));
    fleet.startCoordinator(AGENT);
    Path program = Path.of("/bin/true").toRealPath();
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(program)));
    fleet.startAgent(AGENT, "execAllow: [{program: \"" + program + "\", sha256: " + digest + "}]\n"
      + "checks:\n  - {id: script, type: exec, command: [\"" + program + "\", --password=hunter2], interval: 1s}\n");
    fleet.await("the exec check announced", Duration.ofSeconds(30),
      () -> fleet.check(AGENT, "script").isPresent());

    assertThat(fleet.check(AGENT, "script").orElseThrow().getString("target")).contains("--password=hunter2");
    HttpClient client = HttpClient.newHttpClient();
    for (String path : new String[]{"/api/checks", "/api/agents/" + AGENT, "/api/checks/" + AGENT + "/script"}) {
      HttpResponse<String> seen = client.send(HttpRequest.newBuilder(URI.create(fleet.baseUrl() + path))
        .header("Authorization", "Bearer " + VIEWER_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(seen.statusCode()).isEqualTo(200);
      assertThat(seen.body()).as(path).doesNotContain("hunter2").contains("exec " + program);
    }
    JsonObject operatorView = new JsonObject(fleet.get("/api/checks/" + AGENT + "/script").body());
    assertThat(operatorView.getString("target")).isEqualTo("exec " + program + " --password=hunter2");
  }
}
