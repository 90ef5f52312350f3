package dev.kelpie.agent.autonomy;

import dev.kelpie.shared.message.CheckMemoryJson;
import dev.kelpie.shared.policy.CheckMemory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The checks' policy memory on the host ({@code <stateDir>/policy-memory.json}), so a reboot during an outage keeps the
 * budget: what the coordinator last handed over, and what the agent decided since. Written whole, to a temporary file
 * renamed over the old one, so a crash leaves the old or the new, never half of one. Blocking: called on a worker.
 */
final class PolicyMemoryFile {

  /** What the file holds: each check's memory, and the checks the agent acted on since its last hand-over. */
  record Kept(Map<String, CheckMemory> memory, Set<String> decided) {
  }

  private final Path file;

  PolicyMemoryFile(Path stateDir) {
    this.file = stateDir.resolve("policy-memory.json");
  }

  Kept read() throws IOException {
    if (!Files.exists(file)) {
      return new Kept(Map.of(), Set.of());
    }
    JsonObject json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    Set<String> decided = new LinkedHashSet<>();
    json.getJsonArray("decided", new JsonArray()).forEach(id -> decided.add(String.valueOf(id)));
    return new Kept(CheckMemoryJson.byCheck(json, "checks"), decided);
  }

  void write(Kept kept) throws IOException {
    Files.createDirectories(file.getParent());
    JsonObject json = new JsonObject().put("checks", CheckMemoryJson.toJson(kept.memory()))
      .put("decided", new JsonArray(kept.decided().stream().map(Object.class::cast).toList()));
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temporary, json.encodePrettily(), StandardCharsets.UTF_8);
    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
