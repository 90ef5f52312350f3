package dev.kelpie.agent.probe;

import dev.kelpie.shared.message.ProbeResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Exec checks run real programs: allow-listed by hash, read the Nagios way, killed with their children. */
class ExecProbeTest {

  @TempDir
  Path dir;
  private ProbeHarness harness;

  @AfterEach
  void stop() {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  @DisplayName("exit codes read the Nagios way: 0 ok, 1 warning (up unless warningFails), 2 critical, "
    + "others unknown; the first lines of output are the detail")
  void nagiosExitCodes() throws Exception {
    Path ok = script("ok.sh", "echo 'DISK OK - 42% free'\necho\necho '/ 4200 MB'\nexit 0");
    Path warning = script("warning.sh", "echo 'DISK WARNING - 9% free' >&2\nexit 1");
    Path critical = script("critical.sh", "echo 'DISK CRITICAL - 1% free'\nexit 2");
    Path unknown = script("unknown.sh", "exit 3");
    Path chatty = script("chatty.sh", "i=0\nwhile [ $i -lt 100000 ]; do echo \"line $i\"; i=$((i+1)); done\nexit 0");
    harness = new ProbeHarness(allow(ok, warning, critical, unknown, chatty) + "checks:\n"
      + check("ok", ok) + check("warning", warning) + check("warning-fails", warning, "warningFails: true")
      + check("critical", critical) + check("unknown", unknown) + check("chatty", chatty));

    assertThat(first("ok")).satisfies(r -> {
      assertThat(r.up()).isTrue();
      assertThat(r.detail()).isEqualTo("ok (exit 0): DISK OK - 42% free\n/ 4200 MB");
    });
    assertThat(first("warning")).satisfies(r -> {
      assertThat(r.up()).isTrue();
      assertThat(r.detail()).isEqualTo("warning (exit 1): DISK WARNING - 9% free");
    });
    assertThat(first("warning-fails").up()).isFalse();
    assertThat(first("critical")).satisfies(r -> {
      assertThat(r.up()).isFalse();
      assertThat(r.detail()).isEqualTo("critical (exit 2): DISK CRITICAL - 1% free");
    });
    assertThat(first("unknown")).satisfies(r -> {
      assertThat(r.up()).isFalse();
      assertThat(r.detail()).isEqualTo("unknown (exit 3), no output");
    });
    assertThat(first("chatty")).satisfies(r -> {
      assertThat(r.up()).as("a program with much output is read to its end: %s", r.detail()).isTrue();
      assertThat(r.detail()).isEqualTo("ok (exit 0): line 0\nline 1\nline 2\nline 3\nline 4");
    });
  }

  @Test
  @DisplayName("a program changed on disk after it was pinned is refused, naming both hashes")
  void changedProgramRefused() throws Exception {
    Path plugin = script("plugin.sh", "echo fine\nexit 0");
    String pinned = sha256(plugin);
    harness = new ProbeHarness(allow(plugin) + "checks:\n" + check("plugin", plugin, "interval: 300ms"));
    assertThat(first("plugin").up()).isTrue();

    Files.writeString(plugin, "#!/bin/sh\necho 'I was replaced'\nexit 0\n");
    String changed = sha256(plugin);
    List<ProbeResult> results = harness.awaitResults("plugin", list -> !list.get(list.size() - 1).up());
    assertThat(results.get(results.size() - 1).detail())
      .isEqualTo("refused: " + plugin + " has SHA-256 " + changed + ", the allow-list pins " + pinned);
  }

  @Test
  @DisplayName("a program that hangs is killed at the check's timeout together with the children it started")
  void hangingProgramKilledWithItsTree() throws Exception {
    Path hang = script("hang.sh", "sleep 300 &\necho $! > '" + dir.resolve("child.pid") + "'\n"
      + "echo $$ > '" + dir.resolve("parent.pid") + "'\nwait");
    harness = new ProbeHarness(allow(hang) + "checks:\n" + check("hang", hang, "timeout: 700ms", "interval: 60s"));

    ProbeResult result = first("hang");
    assertThat(result.up()).isFalse();
    assertThat(result.detail()).isEqualTo("no result within 700ms; probe cancelled");
    long parent = Long.parseLong(Files.readString(dir.resolve("parent.pid")).trim());
    long child = Long.parseLong(Files.readString(dir.resolve("child.pid")).trim());
    harness.awaitResults("hang", list -> !alive(parent) && !alive(child));
  }

  private ProbeResult first(String checkId) {
    return harness.await(checkId, 1).get(0);
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private Path script(String name, String body) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    return file;
  }

  private static String allow(Path... programs) throws Exception {
    StringBuilder yaml = new StringBuilder("execAllow:\n");
    for (Path program : programs) {
      yaml.append("  - {program: \"").append(program).append("\", sha256: ").append(sha256(program)).append("}\n");
    }
    return yaml.toString();
  }

  private static String check(String id, Path program, String... extra) {
    StringBuilder yaml = new StringBuilder("  - {id: " + id + ", type: exec, command: [\"" + program + "\", -w, 10%]");
    if (Arrays.stream(extra).noneMatch(item -> item.startsWith("timeout:"))) {
      yaml.append(", timeout: 10s");
    }
    for (String item : extra) {
      yaml.append(", ").append(item);
    }
    return yaml.append("}\n").toString();
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
