package dev.kelpie.shared.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PlaceholdersTest {

  private static final Placeholders PLACEHOLDERS = new Placeholders(Map.of("HOST", "db", "EMPTY", "", "PORT", "5432"));

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
    plain text                    | plain text                    | -
    ${HOST}                       | db                            | -
    ${HOST}:${PORT}               | db:5432                       | -
    ${NOPE:-fallback}             | fallback                      | -
    ${NOPE:-}                     | ''                            | -
    ${EMPTY:-fallback}            | fallback                      | -
    ${EMPTY}                      | ''                            | -
    ${HOST:-other}                | db                            | -
    ${NOPE}                       | ''                            | NOPE
    a ${NOPE} and ${ALSO}         | 'a  and '                     | NOPE ALSO
    $HOST and ${not valid}        | $HOST and ${not valid}        | -
    """)
  @DisplayName("${VAR} and ${VAR:-default} are filled from the environment; unset variables are reported by name")
  void fills(String text, String expected, String unset) {
    List<String> missing = new ArrayList<>();
    assertThat(PLACEHOLDERS.fill(text, missing::add)).isEqualTo(expected);
    assertThat(missing).containsExactlyElementsOf(unset == null ? List.of() : List.of(unset.split(" ")));
  }
}
