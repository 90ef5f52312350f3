package dev.kelpie.bench;

import dev.kelpie.coordinator.gateway.AgentFrame;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.rules.AgentMessages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * The gateway's read of an agent's report batch frame alone, without sockets: as the bridge and the gateway read it
 * through a {@code JsonObject} tree (the bridge's parse of the frame, then {@code AgentMessages.read}), against the
 * frame read once straight into its record ({@link AgentFrame}, then the bridge's parse of the envelope left and
 * {@code AgentMessages.judge}). Prints this thread's CPU ns per frame, the best of {@code --rounds}.
 */
@Command(name = "kelpie-gateway-read-bench", mixinStandardHelpOptions = true)
public final class GatewayReadBench implements Callable<Integer> {

  @Option(names = "--reports", defaultValue = "3", description = "probe results per frame (default ${DEFAULT-VALUE})")
  int reports;

  @Option(names = "--frames", defaultValue = "200000", description = "frames read per round (default ${DEFAULT-VALUE})")
  int frames;

  @Option(names = "--rounds", defaultValue = "5", description = "timed rounds, the best printed (default ${DEFAULT-VALUE})")
  int rounds;

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private long sink;

  public static void main(String[] args) {
    System.exit(new CommandLine(new GatewayReadBench()).execute(args));
  }

  @Override
  public Integer call() {
    List<Buffer> sample = new ArrayList<>();
    for (int agent = 0; agent < 64; agent++) {
      sample.add(frame("bench-agent-" + agent));
    }
    long tree = Long.MAX_VALUE;
    long streamed = Long.MAX_VALUE;
    for (int round = 0; round < rounds; round++) {
      tree = Math.min(tree, time(sample, this::viaTree));
      streamed = Math.min(streamed, time(sample, this::streamed));
    }
    System.out.printf("report batch of %d results (%d bytes): tree %d ns/frame, streamed %d ns/frame (%.2fx)%n",
      reports, sample.get(0).length(), tree, streamed, (double) tree / streamed);
    return sink == 42 ? 1 : 0;
  }

  private void viaTree(Buffer data) {
    JsonObject frame = new JsonObject(data.toString());
    AgentMessages.Reading reading = AgentMessages.read(frame.getString("address"), frame.getJsonObject("body"));
    sink += reading.taken() ? 1 : 0;
  }

  private void streamed(Buffer data) {
    AgentFrame read = AgentFrame.read(data);
    JsonObject envelope = new JsonObject(read.envelope().toString());
    AgentMessages.Reading reading = AgentMessages.judge(envelope.getString("address"), read.message());
    sink += reading.taken() ? 1 : 0;
  }

  private long time(List<Buffer> sample, java.util.function.Consumer<Buffer> read) {
    long start = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < frames; i++) {
      read.accept(sample.get(i % sample.size()));
    }
    return (threads.getCurrentThreadCpuTime() - start) / frames;
  }

  private Buffer frame(String agent) {
    Instant now = Instant.now();
    List<Report> results = new ArrayList<>();
    for (int i = 0; i < reports; i++) {
      results.add(new ProbeResult(agent, 1000 + i, "check-" + i, now, Outcome.UP, Duration.ofMillis(2), "ok"));
    }
    return Buffer.buffer(new JsonObject().put("type", "send").put("address", Addresses.AGENT_REPORTS)
      .put("body", new ReportBatch(agent, now, results).toJson()).put("replyAddress", UUID.randomUUID().toString())
      .encode());
  }
}
