package dev.kelpie.shared.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * A JSON object its sender lets go of once sent (an acknowledgement built for one reply): delivered in this process
 * as that very object, where Vert.x's own JSON codec delivers a deep copy of it; between processes, as its JSON.
 * Named, not the default: only a sender that lets go of the object says so ({@link #DELIVERY}).
 */
public final class HandedOverJson implements MessageCodec<JsonObject, JsonObject> {

  public static final String NAME = "kelpie.json.handed-over";
  public static final DeliveryOptions DELIVERY = new DeliveryOptions().setCodecName(NAME);

  /** Registered by {@link AgentCodecs#registerOn}, with the codecs of what agents send. */
  static final HandedOverJson CODEC = new HandedOverJson();

  private HandedOverJson() {
  }

  @Override
  public void encodeToWire(Buffer buffer, JsonObject json) {
    Buffer encoded = json.toBuffer();
    buffer.appendInt(encoded.length()).appendBuffer(encoded);
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length));
  }

  @Override
  public JsonObject transform(JsonObject json) {
    return json;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
