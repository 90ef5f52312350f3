package dev.kelpie.shared.message;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Strict readers for message fields: each failure names the field and what was expected. */
final class Json {

  private Json() {
  }

  static String string(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof String text) || text.isEmpty()) {
      throw new MessageFormatException(field, "expected a non-empty string, got " + describe(value));
    }
    return text;
  }

  static String optionalString(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw new MessageFormatException(field, "expected a string, got " + describe(value));
    }
    return text;
  }

  static long number(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof Number number)) {
      throw new MessageFormatException(field, "expected a number, got " + describe(value));
    }
    return number.longValue();
  }

  static Long optionalNumber(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number number)) {
      throw new MessageFormatException(field, "expected a number, got " + describe(value));
    }
    return number.longValue();
  }

  static Instant instant(JsonObject json, String field) {
    return Instant.ofEpochMilli(number(json, field));
  }

  static Instant optionalInstant(JsonObject json, String field) {
    Long millis = optionalNumber(json, field);
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }

  static Duration millis(JsonObject json, String field) {
    return Duration.ofMillis(number(json, field));
  }

  static JsonObject object(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof JsonObject object)) {
      throw new MessageFormatException(field, "expected an object, got " + describe(value));
    }
    return object;
  }

  static JsonArray array(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof JsonArray array)) {
      throw new MessageFormatException(field, "expected an array, got " + describe(value));
    }
    return array;
  }

  static JsonObject element(JsonArray array, String field, int index) {
    Object value = array.getValue(index);
    if (!(value instanceof JsonObject object)) {
      throw new MessageFormatException(field + "[" + index + "]", "expected an object, got " + describe(value));
    }
    return object;
  }

  static <E extends Enum<E>> E enumValue(JsonObject json, String field, Class<E> type) {
    String text = string(json, field);
    try {
      return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new MessageFormatException(field, "unknown value '" + text + "'");
    }
  }

  static <E extends Enum<E>> E optionalEnum(JsonObject json, String field, Class<E> type) {
    return json.getValue(field) == null ? null : enumValue(json, field, type);
  }

  static String wire(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  /** Reads a nested part, prefixing the field path of any failure. */
  static <T> T nested(String field, java.util.function.Supplier<T> reader) {
    try {
      return reader.get();
    } catch (MessageFormatException e) {
      throw new MessageFormatException(field + "." + e.field(), e.getMessage().substring(e.field().length() + 2));
    }
  }

  private static String describe(Object value) {
    if (value == null) {
      return "nothing";
    }
    if (value instanceof JsonObject) {
      return "an object";
    }
    if (value instanceof JsonArray) {
      return "an array";
    }
    return value.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + value;
  }
}
