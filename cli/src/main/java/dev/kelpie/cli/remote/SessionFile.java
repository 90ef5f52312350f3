package dev.kelpie.cli.remote;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code kelpie login} keeps the session's cookies for the next commands: {@code ~/.config/kelpie/session.json}
 * (or {@code KELPIE_SESSION_FILE}), readable by its owner only, one coordinator at a time.
 */
public final class SessionFile {

  private final Path file;

  public SessionFile(Path file) {
    this.file = file;
  }

  public static SessionFile standard() {
    String override = System.getenv("KELPIE_SESSION_FILE");
    return new SessionFile(override != null && !override.isBlank() ? Path.of(override)
      : Path.of(System.getProperty("user.home"), ".config", "kelpie", "session.json"));
  }

  public Path path() {
    return file;
  }

  /** The cookies of a session with this coordinator, if logged in to it. */
  public Optional<Map<String, String>> cookiesFor(URI coordinator) {
    try {
      JsonObject json = new JsonObject(Files.readString(file));
      if (!coordinator.toString().equals(json.getString("url"))) {
        return Optional.empty();
      }
      Map<String, String> cookies = new LinkedHashMap<>();
      json.getJsonObject("cookies", new JsonObject())
        .forEach(e -> cookies.put(e.getKey(), String.valueOf(e.getValue())));
      cookies.remove("XSRF-TOKEN");   // fetched fresh by each command
      return Optional.of(cookies);
    } catch (IOException | DecodeException | ClassCastException e) {
      return Optional.empty();
    }
  }

  public void save(URI coordinator, Map<String, String> cookies) throws IOException {
    Files.createDirectories(file.getParent());
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(temp, new JsonObject().put("url", coordinator.toString())
      .put("cookies", new JsonObject(new LinkedHashMap<>(cookies))).encodePrettily());
    Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  public boolean forget() throws IOException {
    return Files.deleteIfExists(file);
  }
}
