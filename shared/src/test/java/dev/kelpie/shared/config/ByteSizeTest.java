package dev.kelpie.shared.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class ByteSizeTest {

  @ParameterizedTest(name = "{0} is {1} bytes")
  @CsvSource({"65536, 65536", "100B, 100", "64KB, 65536", "1MB, 1048576", "2GB, 2147483648"})
  @DisplayName("a number of bytes, or one with KB, MB or GB in powers of 1024")
  void reads(String text, long bytes) {
    assertThat(ByteSize.parse(text)).hasValue(bytes);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"64 KB", "1.5MB", "-1", "1kb", "1TB", "MB", ""})
  @DisplayName("anything else is refused")
  void refuses(String text) {
    assertThat(ByteSize.parse(text)).isEmpty();
  }
}
