package dev.kelpie.coordinator.alert;

import dev.kelpie.coordinator.config.WebhookSecret;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Signs a request the Standard Webhooks way (standardwebhooks.com): HMAC-SHA256 with the receiver's secret over
 * {@code id.timestamp.body}, sent as {@code webhook-signature: v1,<base64>} beside {@code webhook-id} and
 * {@code webhook-timestamp}, so receivers can use that spec's libraries to verify and to refuse replays. The secret
 * means what {@link WebhookSecret} says, which is what those libraries read.
 */
public final class Signer {

  private final byte[] key;

  public Signer(String secret) {
    this.key = WebhookSecret.key(secret);
  }

  /** The value of the {@code webhook-signature} header. */
  public String sign(String id, long timestampSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest = mac.doFinal((id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java runtime has HmacSHA256", e);
    }
  }
}
