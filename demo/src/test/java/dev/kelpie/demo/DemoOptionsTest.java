package dev.kelpie.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The demo service's command line")
class DemoOptionsTest {

  @Test
  @DisplayName("reads every option, and defaults the host to 127.0.0.1")
  void readsEveryOption() {
    DemoOptions options = DemoOptions.parse(new String[] {"--port", "8081", "--fork-child", "--ignore-term",
      "--unhealthy", "--start-delay", "2s", "--pidfile", "demo.pid"});

    assertThat(options).isEqualTo(new DemoOptions("127.0.0.1", 8081, true, true, true, 2000, Path.of("demo.pid")));
    assertThat(DemoOptions.parse(new String[] {"--host", "0.0.0.0", "--port", "0", "--start-delay", "250ms"}))
      .isEqualTo(new DemoOptions("0.0.0.0", 0, false, false, false, 250, null));
    assertThat(DemoOptions.parse(new String[] {"--port", "1", "--kick-url", "http://127.0.0.1:9470/kick",
      "--kick-every", "200ms"})).isEqualTo(new DemoOptions("127.0.0.1", 1, false, false, false, 0, null,
      java.net.URI.create("http://127.0.0.1:9470/kick"), 200));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @DisplayName("refuses a bad command line, saying what is wrong")
  @CsvSource(delimiter = '|', textBlock = """
    ''                            | --port is required
    --port                        | --port needs a value
    --port 70000                  | --port must be between 0 and 65535, got 70000
    --port -1                     | --port must be between 0 and 65535, got -1
    --port 80 --start-delay soon  | --start-delay expects a duration like 500ms or 2s, got 'soon'
    --port 80 --verbose           | unknown argument '--verbose'
    --port 80 --kick-url ftp://x/ | --kick-url must be an http:// URL, got 'ftp://x/'
    --port 80 --kick-every 0s     | --kick-every must be longer than 0
    --port 80 --kick-every often  | --kick-every expects a duration like 500ms or 2s, got 'often'
    """)
  void refuses(String line, String message) {
    String[] args = line.isBlank() ? new String[0] : line.split(" ");

    assertThatThrownBy(() -> DemoOptions.parse(args)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }
}
