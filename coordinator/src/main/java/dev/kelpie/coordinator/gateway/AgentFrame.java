package dev.kelpie.coordinator.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.StreamedMessages;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.io.IOException;

/**
 * An agent's report batch or keepalive frame read once, straight into its record: the bridge is handed the frame
 * without its body ({@link #envelope}, its type, address and reply address as sent: all it routes by), the gateway
 * the {@link #message} for the body. The bridge would otherwise read the whole frame into a {@code JsonObject} tree
 * and the gateway that tree into the record. Only the usual shape is read here ({@link StreamedMessages}); any other
 * frame goes to the bridge as it came, and the bridge and the gateway judge it as before.
 */
public record AgentFrame(Buffer envelope, Object message) {

  private static final JsonFactory JSON = new JsonFactory();

  /** The frame read, or null when the bridge should have it as it came. Never throws. */
  public static AgentFrame read(Buffer frame) {
    try (JsonParser parser = parser(frame)) {
      return read(parser);
    } catch (IOException | RuntimeException notTheUsualShape) {
      return null;
    }
  }

  /** Over the frame's own bytes when it has them in an array (as a socket's frames do), else over a copy. */
  private static JsonParser parser(Buffer frame) throws IOException {
    if (frame instanceof BufferInternal internal) {
      ByteBuf bytes = internal.getByteBuf();
      if (bytes.hasArray()) {
        return JSON.createParser(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes());
      }
    }
    return JSON.createParser(frame.getBytes());
  }

  private static AgentFrame read(JsonParser parser) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT) {
      return null;
    }
    String type = null;
    String address = null;
    String replyAddress = null;
    Object message = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      Object read;
      switch (field) {
        case "type" -> read = type = type == null ? text(parser, value) : null;
        case "address" -> read = address = address == null ? text(parser, value) : null;
        case "replyAddress" -> read = replyAddress = replyAddress == null ? plain(text(parser, value)) : null;
        case "body" -> read = message = message == null ? body(parser, address) : null;
        default -> read = null;   // headers, or what the bridge alone knows what to do with
      }
      if (read == null) {
        return null;
      }
    }
    if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null || !"send".equals(type)
      || message == null) {
      return null;
    }
    return new AgentFrame(Buffer.buffer("{\"type\":\"send\",\"address\":\"" + address + "\""
      + (replyAddress == null ? "" : ",\"replyAddress\":\"" + replyAddress + "\"") + "}"), message);
  }

  /** The body, read by what its address takes; the address must come first (as agents write it). */
  private static Object body(JsonParser parser, String address) throws IOException {
    if (Addresses.AGENT_REPORTS.equals(address)) {
      return StreamedMessages.reportBatch(parser);
    }
    if (Addresses.AGENT_KEEPALIVE.equals(address)) {
      return StreamedMessages.keepalive(parser);
    }
    return null;
  }

  private static String text(JsonParser parser, JsonToken value) throws IOException {
    return value == JsonToken.VALUE_STRING ? parser.getText() : null;
  }

  /** A reply address written back as it is, so only one that needs no escaping in JSON (they are UUIDs). */
  private static String plain(String address) {
    if (address == null) {
      return null;
    }
    for (int i = 0; i < address.length(); i++) {
      char c = address.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_')) {
        return null;
      }
    }
    return address;
  }
}
