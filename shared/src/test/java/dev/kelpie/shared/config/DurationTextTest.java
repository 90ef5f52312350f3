package dev.kelpie.shared.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class DurationTextTest {

  @ParameterizedTest(name = "{0} is {1} ms")
  @CsvSource({
    "250ms, 250",
    "0s, 0",
    "3s, 3000",
    "5m, 300000",
    "1h, 3600000",
    "1d, 86400000",
    "1500ms, 1500"})
  @DisplayName("a whole number with one unit reads as that duration")
  void reads(String text, long millis) {
    assertThat(DurationText.parse(text)).contains(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"3", "3 s", "-1s", "3x", "1.5s", "s", "", " 3s", "3S", "1h30m", "PT3S", "9999999999s"})
  @DisplayName("anything else is refused: no unit, spaces, signs, fractions, unknown or mixed units, overflow")
  void refuses(String text) {
    assertThat(DurationText.parse(text)).isEmpty();
  }
}
