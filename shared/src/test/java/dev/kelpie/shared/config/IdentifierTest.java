package dev.kelpie.shared.config;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class IdentifierTest {

  /** The spelling as the README and every error message give it. */
  private static final Pattern DOCUMENTED = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  @Property(tries = 5000)
  @Label("a name is taken exactly when it is 1 to 64 letters, digits, '.', '_' or '-'")
  void takenExactlyAsDocumented(@ForAll("names") String name) {
    assertThat(Identifier.problem(name).isEmpty()).as("\"%s\"", name).isEqualTo(DOCUMENTED.matcher(name).matches());
  }

  @Provide
  Arbitrary<String> names() {
    Arbitrary<String> near = Arbitraries.strings().withChars("aZ09._-/ :@éA\u0000\u00e9\u0131\u212a")
      .ofMinLength(0).ofMaxLength(70);
    Arbitrary<String> valid = Arbitraries.strings().withChars("abcxyzABCXYZ0189._-").ofMinLength(60).ofMaxLength(66);
    return Arbitraries.oneOf(near, valid, Arbitraries.strings().ofMaxLength(70));
  }

  @Example
  @Label("the refusal names the name and the rule")
  void refusalSaysWhy() {
    assertThat(Identifier.problem("web 01")).contains("expected 1 to 64 letters, digits, '.', '_' or '-', got \"web 01\"");
    assertThat(Identifier.problem("")).isPresent();
    assertThat(Identifier.problem("a".repeat(64))).isEmpty();
    assertThat(Identifier.problem("a".repeat(65))).isPresent();
  }
}
