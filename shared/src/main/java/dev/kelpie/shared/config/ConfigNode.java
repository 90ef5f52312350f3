package dev.kelpie.shared.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One mapping of a YAML document, read key by key. Every read names its path; every problem is collected (not
 * thrown), so one run reports them all; keys nobody read are reported as unknown by {@link #finish()}.
 */
public final class ConfigNode {

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private final ConfigSource source;
  private final String path;
  private final Map<String, Object> values;
  private final Set<String> read = new LinkedHashSet<>();

  ConfigNode(ConfigSource source, String path, Map<String, Object> values) {
    this.source = source;
    this.path = path;
    this.values = values;
  }

  public String path() {
    return path;
  }

  public boolean has(String key) {
    return values.containsKey(key);
  }

  public void problem(String key, String message) {
    source.problem(at(key), message);
  }

  public String string(String key) {
    String value = optionalString(key, null);
    if (value == null && !values.containsKey(key)) {
      source.problem(at(key), "missing; expected a string");
    }
    return value;
  }

  public String optionalString(String key, String fallback) {
    Object value = take(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Map || value instanceof List) {
      source.problem(at(key), "expected a string, got " + describe(value));
      return fallback;
    }
    return interpolate(key, String.valueOf(value));
  }

  public Integer optionalInt(String key, Integer fallback, int min, int max) {
    Object value = take(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Integer number)) {
      source.problem(at(key), "expected a whole number between " + min + " and " + max + ", got " + describe(value));
      return fallback;
    }
    if (number < min || number > max) {
      source.problem(at(key), "must be between " + min + " and " + max + ", got " + number);
      return fallback;
    }
    return number;
  }

  public Double optionalNumber(String key, Double fallback) {
    Object value = take(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number number)) {
      source.problem(at(key), "expected a number, got " + describe(value));
      return fallback;
    }
    return number.doubleValue();
  }

  public Boolean optionalBool(String key, Boolean fallback) {
    Object value = take(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean bool)) {
      source.problem(at(key), "expected true or false, got " + describe(value));
      return fallback;
    }
    return bool;
  }

  public Duration optionalDuration(String key, Duration fallback) {
    Object value = take(key);
    if (value == null) {
      return fallback;
    }
    Duration parsed = value instanceof String text ? parseDuration(text) : null;
    if (parsed == null) {
      source.problem(at(key), "expected a duration like 500ms, 5s, 2m, 1h or 1d, got " + describe(value));
      return fallback;
    }
    return parsed;
  }

  public URI optionalUri(String key, URI fallback, List<String> schemes) {
    String text = optionalString(key, null);
    if (text == null) {
      return fallback;
    }
    try {
      URI uri = new URI(text);
      if (uri.getScheme() == null || !schemes.contains(uri.getScheme()) || uri.getHost() == null) {
        source.problem(at(key), "expected a URL starting with " + String.join(" or ",
          schemes.stream().map(s -> s + "://").toList()) + " and naming a host, got \"" + text + "\"");
        return fallback;
      }
      return uri;
    } catch (URISyntaxException e) {
      source.problem(at(key), "not a valid URL: " + e.getMessage());
      return fallback;
    }
  }

  public List<String> optionalStringList(String key) {
    Object value = take(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof List<?> list)) {
      source.problem(at(key), "expected a list of strings like [prog, arg1, arg2] (no shell is used), got "
        + describe(value));
      return null;
    }
    List<String> strings = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Object item = list.get(i);
      if (item == null || item instanceof Map || item instanceof List) {
        source.problem(at(key) + "[" + i + "]", "expected a string, got " + describe(item));
      } else {
        strings.add(interpolate(key, String.valueOf(item)));
      }
    }
    return strings;
  }

  public Map<String, String> optionalStringMap(String key) {
    Object value = take(key);
    Map<String, String> map = new LinkedHashMap<>();
    if (value == null) {
      return map;
    }
    if (!(value instanceof Map<?, ?> raw)) {
      source.problem(at(key), "expected a mapping of names to strings, got " + describe(value));
      return map;
    }
    raw.forEach((k, v) -> {
      if (v instanceof Map || v instanceof List || v == null) {
        source.problem(at(key) + "." + k, "expected a string, got " + describe(v));
      } else {
        map.put(String.valueOf(k), interpolate(key, String.valueOf(v)));
      }
    });
    return map;
  }

  /** A nested mapping, or null when absent (a problem when present but not a mapping). */
  public ConfigNode child(String key) {
    Object value = take(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map<?, ?> map)) {
      source.problem(at(key), "expected a mapping (key: value lines), got " + describe(value));
      return null;
    }
    return new ConfigNode(source, at(key), castMap(map));
  }

  /** Each mapping of a list, read by {@code reader}; non-mappings are problems. */
  public <T> List<T> list(String key, Function<ConfigNode, T> reader) {
    Object value = take(key);
    List<T> items = new ArrayList<>();
    if (value == null) {
      return items;
    }
    if (!(value instanceof List<?> list)) {
      source.problem(at(key), "expected a list, got " + describe(value));
      return items;
    }
    for (int i = 0; i < list.size(); i++) {
      String itemPath = at(key) + "[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> map)) {
        source.problem(itemPath, "expected a mapping, got " + describe(list.get(i)));
        continue;
      }
      ConfigNode node = new ConfigNode(source, itemPath, castMap(map));
      T item = reader.apply(node);
      node.finish();
      if (item != null) {
        items.add(item);
      }
    }
    return items;
  }

  /** Reports every key that no read asked for. */
  public void finish() {
    for (String key : values.keySet()) {
      if (!read.contains(key)) {
        source.problem(path.isEmpty() ? "" : path, "unknown key '" + key + "'");
      }
    }
  }

  static Duration parseDuration(String text) {
    Matcher matcher = DURATION.matcher(text.trim());
    if (!matcher.matches()) {
      return null;
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  private Object take(String key) {
    read.add(key);
    return values.get(key);
  }

  private String interpolate(String key, String text) {
    Matcher matcher = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = source.env().get(matcher.group(1));
      if (value == null) {
        value = matcher.group(2);
      }
      if (value == null) {
        source.problem(at(key), "environment variable " + matcher.group(1) + " is not set (write ${"
          + matcher.group(1) + ":-default} to give a default)");
        value = "";
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private String at(String key) {
    if (key.isEmpty()) {
      return path;
    }
    return path.isEmpty() ? key : path + "." + key;
  }

  private static Map<String, Object> castMap(Map<?, ?> map) {
    Map<String, Object> result = new LinkedHashMap<>();
    map.forEach((k, v) -> result.put(String.valueOf(k), v));
    return result;
  }

  private static String describe(Object value) {
    if (value == null) {
      return "nothing";
    }
    if (value instanceof Map) {
      return "a mapping";
    }
    if (value instanceof List) {
      return "a list";
    }
    if (value instanceof String text) {
      return "\"" + text + "\"";
    }
    return String.valueOf(value);
  }
}
