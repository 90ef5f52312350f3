package dev.kelpie.shared.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One mapping of a YAML document, read key by key. Every read knows its path; every problem is collected in the
 * source (not thrown), so one run reports them all; {@link #finish()} reports the keys nobody asked for as unknown.
 * An absent key and a key with no value ({@code key:}) read the same: the fallback.
 *
 * <p>Structure is checked here rather than by a JSON Schema: vertx-json-schema 5.0.5 reports a known key whose value
 * is wrong as also "not matching additionalProperties", plus a wrapper error per level, so its output cannot be
 * turned into one true sentence per problem; and here the keys read are the keys known, with no second list to keep.
 */
public final class ConfigNode {

  private static final Pattern WHOLE_NUMBER = Pattern.compile("-?\\d{1,9}");

  private final ConfigSource source;
  private final String path;
  private final Map<String, Object> values;
  private final Set<String> read = new HashSet<>();

  ConfigNode(ConfigSource source, String path, Map<String, Object> values) {
    this.source = source;
    this.path = path;
    this.values = values;
  }

  public String path() {
    return path;
  }

  public boolean has(String key) {
    return values.get(key) != null;
  }

  /** A problem at {@code key} of this mapping; an empty key means the mapping itself. */
  public void problem(String key, String message) {
    source.problem(at(key), message);
  }

  /** A required string; {@code expected} says what belongs there, as in "missing; expected {expected}". */
  public String string(String key, String expected) {
    String value = optionalString(key, null);
    if (value == null && !has(key)) {
      problem(key, "missing; expected " + expected);
    }
    return value;
  }

  /** A required Kelpie name ({@link Identifier}); null when missing or invalid. */
  public String id(String key) {
    String id = string(key, "a name of letters, digits, '.', '_' or '-'");
    if (id == null) {
      return null;
    }
    Optional<String> problem = Identifier.problem(id);
    problem.ifPresent(message -> problem(key, message));
    return problem.isPresent() ? null : id;
  }

  public String optionalString(String key, String fallback) {
    Object value = take(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Map || value instanceof List) {
      problem(key, "expected a string, got " + YamlValue.describe(value));
      return fallback;
    }
    return String.valueOf(value);
  }

  public Integer optionalInt(String key, Integer fallback, int min, int max) {
    Object value = take(key);
    if (value == null) {
      return fallback;
    }
    Integer number = value instanceof Integer whole ? whole
      : value instanceof String text && WHOLE_NUMBER.matcher(text).matches() ? Integer.valueOf(text) : null;
    if (number == null) {
      problem(key, "expected a whole number between " + min + " and " + max + ", got " + YamlValue.describe(value));
      return fallback;
    }
    if (number < min || number > max) {
      problem(key, "must be between " + min + " and " + max + ", got " + number);
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
      problem(key, "expected a number, got " + YamlValue.describe(value));
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
      problem(key, "expected true or false, got " + YamlValue.describe(value));
      return fallback;
    }
    return bool;
  }

  public Duration optionalDuration(String key, Duration fallback) {
    Object value = take(key);
    if (value == null) {
      return fallback;
    }
    Duration parsed = value instanceof String text ? DurationText.parse(text).orElse(null) : null;
    if (parsed == null) {
      problem(key, DurationText.EXPECTED + ", got " + YamlValue.describe(value));
      return fallback;
    }
    return parsed;
  }

  /** A size in bytes, written as a number or like 64KB or 1MB. */
  public Integer optionalBytes(String key, int fallback, int min, int max) {
    Object value = take(key);
    if (value == null) {
      return fallback;
    }
    OptionalLong parsed = value instanceof Integer || value instanceof String ? ByteSize.parse(value.toString())
      : OptionalLong.empty();
    if (parsed.isEmpty()) {
      problem(key, ByteSize.EXPECTED + ", got " + YamlValue.describe(value));
      return fallback;
    }
    if (parsed.getAsLong() < min || parsed.getAsLong() > max) {
      problem(key, "must be between " + min + " and " + max + " bytes, got " + parsed.getAsLong());
      return fallback;
    }
    return (int) parsed.getAsLong();
  }

  /** An absolute URL with one of {@code schemes} and a host; null (and a problem) otherwise. */
  public URI optionalUri(String key, List<String> schemes) {
    String text = optionalString(key, null);
    return text == null ? null : uri(key, text, schemes, "");
  }

  /** Checks {@code text} as {@link #optionalUri} would; {@code origin} is added to messages, like " (from VAR)". */
  public URI uri(String key, String text, List<String> schemes, String origin) {
    URI uri = YamlValue.url(text, schemes);
    if (uri == null) {
      problem(key, "expected a URL starting with " + String.join(" or ", schemes.stream().map(s -> s + "://").toList())
        + " and naming a host, got \"" + text + "\"" + origin);
    }
    return uri;
  }

  /** A Java regular expression, checked to compile. */
  public String optionalRegex(String key) {
    String regex = optionalString(key, null);
    if (regex != null) {
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        problem(key, "not a valid regular expression: " + e.getDescription() + " near index " + e.getIndex());
        return null;
      }
    }
    return regex;
  }

  /** A list of strings, or null when absent; {@code example} shows the expected form, like "[java, -jar, app.jar]". */
  public List<String> optionalStringList(String key, String example) {
    Object value = take(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof List<?> list)) {
      problem(key, "expected a list of strings like " + example + ", got " + YamlValue.describe(value));
      return null;
    }
    List<String> strings = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Object item = list.get(i);
      if (item == null || item instanceof Map || item instanceof List) {
        problem(key + "[" + i + "]", "expected a string, got " + YamlValue.describe(item));
      } else {
        strings.add(String.valueOf(item));
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
      problem(key, "expected a mapping of names to strings, got " + YamlValue.describe(value));
      return map;
    }
    raw.forEach((name, item) -> {
      if (item == null || item instanceof Map || item instanceof List) {
        problem(key + "." + name, "expected a string, got " + YamlValue.describe(item));
      } else {
        map.put(String.valueOf(name), String.valueOf(item));
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
      problem(key, "expected a mapping (key: value lines), got " + YamlValue.describe(value));
      return null;
    }
    return new ConfigNode(source, at(key), YamlValue.keyedByString(map, map::get));
  }

  /**
   * A required mapping. When it is missing, that is reported and an empty mapping is read instead, so the keys it
   * needs are reported too.
   */
  public ConfigNode section(String key) {
    ConfigNode node = child(key);
    if (node == null && !has(key)) {
      problem(key, "missing section");
    }
    return node != null ? node : new ConfigNode(source, at(key), Map.of());
  }

  /** Each mapping of a list, read by {@code reader} and then finished; items the reader gives null for are left out. */
  public <T> List<T> list(String key, Function<ConfigNode, T> reader) {
    Object value = take(key);
    List<T> items = new ArrayList<>();
    if (value == null) {
      return items;
    }
    if (!(value instanceof List<?> list)) {
      problem(key, "expected a list (lines starting with '- '), got " + YamlValue.describe(value));
      return items;
    }
    for (int i = 0; i < list.size(); i++) {
      String itemPath = at(key) + "[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> map)) {
        source.problem(itemPath, "expected a mapping (key: value lines), got " + YamlValue.describe(list.get(i)));
        continue;
      }
      ConfigNode node = new ConfigNode(source, itemPath, YamlValue.keyedByString(map, map::get));
      T item = reader.apply(node);
      node.finish();
      if (item != null) {
        items.add(item);
      }
    }
    return items;
  }

  /** Marks {@code key} as read without reading it: for a key already reported as misplaced. */
  public void ignore(String key) {
    read.add(key);
  }

  /** Marks every key as read: for a mapping already known to be wrong, whose other keys would only add noise. */
  public void ignoreRest() {
    read.addAll(values.keySet());
  }

  /** Reports every key that no read asked for. */
  public void finish() {
    values.keySet().stream().filter(key -> !read.contains(key))
      .forEach(key -> source.problem(path, "unknown key '" + key + "'"));
  }

  private Object take(String key) {
    read.add(key);
    return values.get(key);
  }

  private String at(String key) {
    if (key.isEmpty()) {
      return path;
    }
    return path.isEmpty() ? key : path + "." + key;
  }
}
