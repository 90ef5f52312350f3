package dev.kelpie.shared.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * A message record on the event bus as itself: delivered in this process without a copy (records do not change), and
 * as its JSON form between processes, so it still survives a clustered event bus.
 */
public final class RecordCodec<T extends Record> implements MessageCodec<T, T> {

  private final Class<T> type;
  private final Function<T, JsonObject> toJson;
  private final Function<JsonObject, T> fromJson;

  public RecordCodec(Class<T> type, Function<T, JsonObject> toJson, Function<JsonObject, T> fromJson) {
    this.type = type;
    this.toJson = toJson;
    this.fromJson = fromJson;
  }

  public Class<T> type() {
    return type;
  }

  @Override
  public void encodeToWire(Buffer buffer, T record) {
    Buffer json = toJson.apply(record).toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return fromJson.apply(new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length)));
  }

  @Override
  public T transform(T record) {
    return record;
  }

  @Override
  public String name() {
    return "kelpie." + type.getSimpleName();
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
