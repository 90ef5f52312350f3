import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A service whose main loop kicks the agent's heartbeat (the README's snippet), and stalls without exiting while
 * the file named by its third argument exists. Arguments: kick port, token, stall file.
 */
public class Kicker {
  public static void main(String[] args) throws Exception {
    Path stall = Path.of(args[2]);
    HttpClient kicks = HttpClient.newHttpClient();
    HttpRequest kick = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + args[0] + "/kick"))
      .header("Authorization", "Bearer " + args[1])
      .POST(HttpRequest.BodyPublishers.noBody()).build();
    while (true) {
      Thread.sleep(100);                     // one unit of work
      if (Files.exists(stall)) {
        continue;                            // stuck: alive, but no progress and no kicks
      }
      kicks.sendAsync(kick, HttpResponse.BodyHandlers.discarding());
    }
  }
}
