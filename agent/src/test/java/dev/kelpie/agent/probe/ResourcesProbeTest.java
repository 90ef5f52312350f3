package dev.kelpie.agent.probe;

import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ServiceInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Resources of a supervised process tree, read from /proc, judged over a number of samples. */
class ResourcesProbeTest {

  private final List<Process> processes = new ArrayList<>();
  private ProbeHarness harness;

  @AfterEach
  void stop() {
    if (harness != null) {
      harness.close();
    }
    processes.forEach(process -> {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    });
  }

  @Test
  @DisplayName("a service leaking memory past its limit is up while under it, counts the samples over it, and is "
    + "down once it has been over for the configured number of samples")
  void leakDownAfterSamples() throws Exception {
    Process leak = start(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx700m",
      "-XX:+UseSerialGC", resource("/probe/Leak.java"), "600");
    harness = harness(leak, "maxRss: 400MB, forSamples: 3, interval: 300ms, timeout: 5s");

    List<ProbeResult> results = harness.awaitResults("leak-rss", list -> !last(list).up());
    assertThat(last(results).detail()).matches("RSS \\d+ MiB over 400 MiB for 3 samples");
    assertThat(results).extracting(ProbeResult::detail)
      .anySatisfy(detail -> assertThat(detail).startsWith("RSS ").contains(" processes").doesNotContain("over"))
      .anySatisfy(detail -> assertThat(detail).contains("over 400 MiB (1 of 3 samples)"))
      .anySatisfy(detail -> assertThat(detail).contains("over 400 MiB (2 of 3 samples)"));
  }

  @Test
  @DisplayName("threads and open files are summed over the whole tree, a child included")
  void fdsAndThreadsOfTheTree() throws Exception {
    Process shell = start("/bin/sh", "-c", "exec 3</dev/null 4</dev/null 5</dev/null 6</dev/null 7</dev/null; "
      + "sleep 300; true");
    harness = harness(shell, "maxFds: 10, maxThreads: 1, interval: 300ms");

    ProbeResult down = last(harness.awaitResults("leak-rss",
      list -> !last(list).up() && last(list).detail().contains("16 open files")));
    assertThat(down.detail()).isEqualTo("2 threads, over 1, 16 open files, over 10 for 1 sample");
  }

  private ProbeHarness harness(Process process, String keys) {
    return new ProbeHarness("services: [{name: leak, command: [leak]}]\n"
      + "checks:\n  - {id: leak-rss, type: resources, service: leak, " + keys + "}\n", ProbeKinds.BUILT_IN,
      List.of(new ServiceInfo("leak", true, process.pid(), Instant.now(), null)));
  }

  private Process start(String... command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    processes.add(process);
    return process;
  }

  private static ProbeResult last(List<ProbeResult> results) {
    return results.get(results.size() - 1);
  }

  private static String resource(String name) throws Exception {
    return Path.of(ResourcesProbeTest.class.getResource(name).toURI()).toString();
  }
}
