package dev.kelpie.shared.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** What SnakeYAML gives for a value, as the config reader needs it: described for messages, keyed by strings. */
final class YamlValue {

  private YamlValue() {
  }

  /** The value as a message shows it after "got": "text" quoted, 3 bare, "a list", "a mapping", "nothing". */
  static String describe(Object value) {
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

  /** A mapping with its keys as strings (YAML allows `1: x`), in file order, each value given by {@code value}. */
  static Map<String, Object> keyedByString(Map<?, ?> map, Function<Object, Object> value) {
    Map<String, Object> result = new LinkedHashMap<>();
    map.keySet().forEach(key -> result.put(String.valueOf(key), value.apply(key)));
    return result;
  }

  /** The absolute URL with one of {@code schemes} and a host, or null. */
  static URI url(String text, List<String> schemes) {
    try {
      URI uri = new URI(text);
      return uri.getScheme() != null && schemes.contains(uri.getScheme()) && uri.getHost() != null ? uri : null;
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
