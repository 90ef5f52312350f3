package dev.kelpie.shared.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
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
 * A YAML configuration file being read: its name for messages, the environment for overrides, and every problem
 * found so far. Placeholders ({@code ${VAR}}, {@code ${VAR:-default}}) are filled in every string value as the file
 * is parsed. Read the tree from {@link #root()}, then call {@link #check()}.
 */
public final class ConfigSource {

  private final String name;
  private final Map<String, String> env;
  private final Placeholders placeholders;
  private final List<String> problems = new ArrayList<>();
  private final ConfigNode root;

  private ConfigSource(String name, Map<String, String> env, String yaml) {
    this.name = name;
    this.env = env;
    this.placeholders = new Placeholders(env);
    this.root = new ConfigNode(this, "", parse(yaml));
  }

  /** Reads {@code file}; a relative path is taken from the working directory. */
  public static ConfigSource fromFile(Path file, Map<String, String> env) {
    try {
      return new ConfigSource(file.toString(), env, Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException(List.of(file + ": no such file (looked for " + file.toAbsolutePath() + ")"));
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": cannot be read: " + e));
    }
  }

  public static ConfigSource fromYaml(String yaml, String name, Map<String, String> env) {
    return new ConfigSource(name, env, yaml);
  }

  public ConfigNode root() {
    return root;
  }

  /** The environment variable's value, or null when it is unset or blank. */
  public String env(String variable) {
    String value = env.get(variable);
    return value == null || value.isBlank() ? null : value;
  }

  /** A problem at {@code path} (like {@code checks[0].policy}; empty for the whole file). */
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
    Object document;
    try {
      document = new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark();
      String line = mark == null ? "" : " line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ":";
      throw new ConfigException(List.of(name + ":" + line + " not valid YAML: " + e.getProblem()));
    } catch (YAMLException e) {
      throw new ConfigException(List.of(name + ": not valid YAML: " + e.getMessage()));
    }
    if (document == null) {
      return new LinkedHashMap<>();
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw new ConfigException(List.of(name + ": expected a mapping (key: value lines) at the top level"));
    }
    return YamlValue.keyedByString(map, key -> fill(map.get(key), key.toString()));
  }

  private Object fill(Object value, String path) {
    if (value instanceof String text) {
      return placeholders.fill(text, variable -> problem(path, "environment variable " + variable
        + " is not set (write ${" + variable + ":-default} to give a default)"));
    }
    if (value instanceof Map<?, ?> map) {
      return YamlValue.keyedByString(map, key -> fill(map.get(key), path + "." + key));
    }
    if (value instanceof List<?> list) {
      List<Object> filled = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        filled.add(fill(list.get(i), path + "[" + i + "]"));
      }
      return filled;
    }
    return value;
  }
}
