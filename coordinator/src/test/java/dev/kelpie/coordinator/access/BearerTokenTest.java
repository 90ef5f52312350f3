package dev.kelpie.coordinator.access;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BearerTokenTest {

  @Test
  @DisplayName("the token is read from a Bearer header of any case, without the spaces around it")
  void readsTheToken() {
    assertThat(BearerToken.parse("Bearer abc")).map(BearerToken::token).hasValue("abc");
    assertThat(BearerToken.parse("bearer   abc  ")).map(BearerToken::token).hasValue("abc");
    assertThat(BearerToken.parse("BEARER abc")).map(BearerToken::token).hasValue("abc");
  }

  @Test
  @DisplayName("no header, or another scheme, is no bearer token at all")
  void otherSchemesAreNone() {
    assertThat(BearerToken.parse(null)).isEmpty();
    assertThat(BearerToken.parse("Basic b2xnYTpvbGdh")).isEmpty();
    assertThat(BearerToken.parse("Bearer")).isEmpty();
    assertThat(BearerToken.parse("Bearerabc")).isEmpty();
  }

  @Test
  @DisplayName("the digest is what `printf %s TOKEN | sha256sum` prints, the form access.tokens are written in")
  void digestLikeSha256sum() {
    assertThat(BearerToken.parse("Bearer operator-test-token").orElseThrow().digest())
      .isEqualTo("8ab817b57342c26ffe488f3496c34d72b47ac4140f5dbcf16e9cb38c3390a2ba");
  }

  @Test
  @DisplayName("the secret never shows in a log line")
  void secretNotPrinted() {
    assertThat(BearerToken.parse("Bearer s3cret").orElseThrow().toString()).doesNotContain("s3cret");
  }
}
