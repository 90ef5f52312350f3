package dev.kelpie.agent.supervise;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessTableTest {

  private static final long SELF = ProcessHandle.current().pid();

  @Test
  @DisplayName("A stat line is read after the last ')', however odd the command name")
  void statWithParenthesesAndSpacesInTheName() {
    String line = "4242 (we (ird) ) name) S 1 4242 4242 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 "
      + "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

    ProcessTable.Stat stat = ProcessTable.parseStat(line);

    assertThat(stat).isEqualTo(new ProcessTable.Stat('S', 1, 4242, 987654));
    assertThat(ProcessTable.parseStat(line.replace(") S ", ") Z ")).running()).isFalse();
  }

  @Test
  @DisplayName("This JVM is found in /proc: its parent, start time and command line")
  void ownProcess() {
    ProcessTable.Stat stat = ProcessTable.stat(SELF).orElseThrow();

    assertThat(stat.parentPid()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
    assertThat(new ProcessId(SELF, stat.startTime()).alive()).isTrue();
    assertThat(new ProcessId(SELF, stat.startTime() + 1).alive()).isFalse();
    assertThat(ProcessTable.commandLine(SELF)).contains("java");
    assertThat(ProcessTable.stat(Long.MAX_VALUE)).isEmpty();
  }

  @Test
  @DisplayName("The listener on a port is the process holding the listening socket, and it is gone once closed")
  void listener() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
      assertThat(ProcessTable.listening(port)).isTrue();
      assertThat(ProcessTable.listener(port)).contains(SELF);
    }
    assertThat(ProcessTable.listening(port)).isFalse();
    assertThat(ProcessTable.listener(port)).isEmpty();
  }

  @Test
  @DisplayName("A command-line pattern never matches an excluded process")
  void matchingSkipsExcluded() {
    Pattern self = Pattern.compile(Pattern.quote(ProcessTable.commandLine(SELF)));

    assertThat(ProcessTable.matching(self, Set.of())).contains(SELF);
    assertThat(ProcessTable.matching(self, Set.of(SELF))).isEmpty();
  }
}
