package dev.kelpie.shared.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML configuration file being read: its name for messages, the environment for {@code ${VAR}} and overrides, and
 * every problem found so far. Read the tree from {@link #root()}, then call {@link #check()}.
 */
public final class ConfigSource {

  private final String name;
  private final Map<String, String> env;
  private final List<String> problems = new ArrayList<>();
  private final ConfigNode root;

  private ConfigSource(String name, Map<String, String> env, String yaml) {
    this.name = name;
    this.env = env;
    this.root = new ConfigNode(this, "", parse(yaml));
  }

  public static ConfigSource fromFile(Path file, Map<String, String> env) {
    try {
      return new ConfigSource(file.toString(), env, Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException(List.of(file + ": no such file"));
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": cannot be read: " + e.getMessage()));
    }
  }

  public static ConfigSource fromYaml(String yaml, String name, Map<String, String> env) {
    return new ConfigSource(name, env, yaml);
  }

  public ConfigNode root() {
    return root;
  }

  public Map<String, String> env() {
    return env;
  }

  /** A problem found by the program's own checks (cross references, impossible combinations). */
  public void problem(String path, String message) {
    problems.add(name + ": " + (path.isEmpty() ? "" : path + ": ") + message);
  }

  /** Throws every problem found, if any. */
  public void check() {
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  private Map<String, Object> parse(String yaml) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10);
    try {
      Object document = new Yaml(new SafeConstructor(options)).load(yaml);
      if (document == null) {
        return new LinkedHashMap<>();
      }
      if (!(document instanceof Map<?, ?> map)) {
        throw new ConfigException(List.of(name + ": expected a YAML mapping at the top level"));
      }
      Map<String, Object> result = new LinkedHashMap<>();
      map.forEach((k, v) -> result.put(String.valueOf(k), v));
      return result;
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? -1 : e.getProblemMark().getLine() + 1;
      throw new ConfigException(List.of(name + ":" + line + ": not valid YAML: " + e.getProblem()));
    } catch (YAMLException e) {
      throw new ConfigException(List.of(name + ": not valid YAML: " + e.getMessage()));
    }
  }
}
