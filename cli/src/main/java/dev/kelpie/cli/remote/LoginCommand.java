package dev.kelpie.cli.remote;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

@Command(name = "login", mixinStandardHelpOptions = true,
  description = "Logs in to the coordinator as a person (a user of its access.users) and keeps the session for "
    + "the next commands, in ~/.config/kelpie/session.json (or $KELPIE_SESSION_FILE), readable only by you. "
    + "Actions are then recorded with your name. Scripts use --token instead.")
public final class LoginCommand implements Callable<Integer> {

  @Mixin
  RemoteOptions remote;

  @Spec
  CommandSpec spec;

  @Option(names = {"-u", "--user"}, required = true, paramLabel = "NAME", description = "who")
  String user;

  @Option(names = "--password-stdin", description = "read the password from standard input, not the terminal")
  boolean passwordFromStdin;

  @Override
  public Integer call() throws ApiException, IOException {
    String password = password();
    Api api = Api.withCookies(remote.url(), java.util.Map.of());
    api.post("/api/session", new JsonObject().put("username", user).put("password", password));
    JsonObject me = api.get("/api/session");
    SessionFile file = remote.sessionFile();
    file.save(remote.url(), api.cookies());
    spec.commandLine().getOut().printf("logged in to %s as %s (%s); the session is kept in %s%n", remote.url(),
      me.getString("user"), me.getString("role"), file.path());
    return 0;
  }

  private String password() throws IOException {
    Console console = System.console();
    if (!passwordFromStdin && console != null) {
      char[] typed = console.readPassword("password for %s: ", user);
      return typed == null ? "" : new String(typed);
    }
    return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
  }

  @Command(name = "logout", mixinStandardHelpOptions = true, description = "Ends the session kelpie login keeps.")
  public static final class Logout implements Callable<Integer> {

    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      try {
        remote.api().delete("/api/session");
      } catch (ApiException e) {
        spec.commandLine().getErr().println("kelpie: the coordinator did not end the session: " + e.sentence());
      }
      remote.sessionFile().forget();
      spec.commandLine().getOut().println("logged out");
      return 0;
    }
  }
}
