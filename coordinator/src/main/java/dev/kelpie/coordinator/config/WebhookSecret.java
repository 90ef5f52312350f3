package dev.kelpie.coordinator.config;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The one rule for a receiver's signing secret, the rule every Standard Webhooks library agrees on.
 * {@code whsec_<base64>} is the form: the key is the base64 (standard alphabet, padded) after the prefix, exactly
 * what {@code new Webhook(secret)} does in the JavaScript, Python, Go, Java and other libraries. Any other secret is
 * a raw key, its bytes as written, which the libraries take through their raw form ({@code {format: "raw"}} in
 * JavaScript, {@code Webhook(secret.encode())} in Python, {@code NewWebhookRaw} in Go); it must be printable ASCII,
 * because JavaScript's raw form reads one byte per character and so would disagree on anything else.
 */
public final class WebhookSecret {

  public static final String PREFIX = "whsec_";
  public static final int MIN_KEY_BYTES = 16;
  static final String HOW_TO_MAKE_ONE = "make one with: echo \"whsec_$(openssl rand -base64 32)\"";

  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]*={0,2}");
  private static final Pattern PRINTABLE_ASCII = Pattern.compile("[\\x20-\\x7E]*");

  private WebhookSecret() {
  }

  /** The HMAC key a secret stands for; refused with what is wrong and how to make a good one. */
  public static byte[] key(String secret) {
    if (secret.startsWith(PREFIX)) {
      String encoded = secret.substring(PREFIX.length());
      if (!BASE64.matcher(encoded).matches() || encoded.length() % 4 != 0) {
        throw new IllegalArgumentException("not valid base64 after whsec_ (the standard alphabet A-Z a-z 0-9 + /, "
          + "padded with = to a multiple of 4 characters, as every Standard Webhooks library reads it); "
          + HOW_TO_MAKE_ONE);
      }
      byte[] key = Base64.getDecoder().decode(encoded);
      if (key.length < MIN_KEY_BYTES) {
        throw new IllegalArgumentException("too short: the key after whsec_ is " + key.length + " bytes, use at "
          + "least " + MIN_KEY_BYTES + " (it signs every request); " + HOW_TO_MAKE_ONE);
      }
      return key;
    }
    if (!PRINTABLE_ASCII.matcher(secret).matches()) {
      throw new IllegalArgumentException("a secret without whsec_ is a raw key and must be printable ASCII (the "
        + "Standard Webhooks libraries' raw form reads one byte per character); use a whsec_ secret instead: "
        + HOW_TO_MAKE_ONE);
    }
    if (secret.length() < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("too short: use at least " + MIN_KEY_BYTES + " characters (it signs every "
        + "request), or a whsec_ secret: " + HOW_TO_MAKE_ONE);
    }
    return secret.getBytes(StandardCharsets.US_ASCII);
  }
}
