package dev.kelpie.agent;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Report;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Reports on the agent's own bus ({@link Addresses#LOCAL_REPORT}) as the records themselves: every consumer gets the
 * same immutable record, where a JSON body would be built, copied for each consumer and parsed again by each, for every
 * result. Should the bus ever cross a wire, a report travels as its JSON. Each verticle that publishes or takes reports
 * {@linkplain #register registers} the codec when it starts.
 */
public final class LocalReports {

  private static final String CODEC = "kelpie.local.report";
  private static final DeliveryOptions AS_RECORD = new DeliveryOptions().setCodecName(CODEC);

  private LocalReports() {
  }

  /** Makes reports publishable on {@code vertx}'s bus; once is enough, again does no harm. */
  public static void register(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new Codec());
    } catch (IllegalStateException registered) {
      // another verticle of this Vert.x registered it first
    }
  }

  public static void publish(Vertx vertx, Report report) {
    vertx.eventBus().publish(Addresses.LOCAL_REPORT, report, AS_RECORD);
  }

  public static MessageConsumer<Report> consumer(Vertx vertx, Handler<Report> handler) {
    register(vertx);
    return vertx.eventBus().consumer(Addresses.LOCAL_REPORT, message -> handler.handle(message.body()));
  }

  private static final class Codec implements MessageCodec<Report, Report> {

    @Override
    public void encodeToWire(Buffer buffer, Report report) {
      Buffer json = report.toJson().toBuffer();
      buffer.appendInt(json.length()).appendBuffer(json);
    }

    @Override
    public Report decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      return Report.fromJson(new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length)));
    }

    /** Records, never changed once made: each consumer may have the same one. */
    @Override
    public Report transform(Report report) {
      return report;
    }

    @Override
    public String name() {
      return CODEC;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
