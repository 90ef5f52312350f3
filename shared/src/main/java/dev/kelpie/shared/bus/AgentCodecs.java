package dev.kelpie.shared.bus;

import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.ReportBatch;
import io.vertx.core.eventbus.EventBus;

import java.util.List;

/**
 * The codecs of what agents send, as the records the gateway read them into: registered as the default codecs of
 * their types, so whoever sends one (the bridge, a test) needs no delivery option and the policy gets it uncopied.
 * Beside them, by name, the one of the acknowledgements going back ({@link HandedOverJson}).
 */
public final class AgentCodecs {

  private static final List<RecordCodec<?>> CODECS = List.of(
    new RecordCodec<>(AgentHello.class, AgentHello::toJson, AgentHello::fromJson),
    new RecordCodec<>(ReportBatch.class, ReportBatch::toJson, ReportBatch::fromJson),
    new RecordCodec<>(Keepalive.class, Keepalive::toJson, Keepalive::fromJson));

  private AgentCodecs() {
  }

  /** Registers them once per event bus; calling it again (another verticle, a restarted coordinator) is harmless. */
  public static void registerOn(EventBus bus) {
    synchronized (bus) {
      CODECS.forEach(codec -> register(bus, codec));
      try {
        bus.registerCodec(HandedOverJson.CODEC);
      } catch (IllegalStateException alreadyThere) {
        // registered by an earlier caller on this event bus
      }
    }
  }

  private static <T extends Record> void register(EventBus bus, RecordCodec<T> codec) {
    try {
      bus.registerDefaultCodec(codec.type(), codec);
    } catch (IllegalStateException alreadyThere) {
      // registered by an earlier caller on this event bus
    }
  }
}
