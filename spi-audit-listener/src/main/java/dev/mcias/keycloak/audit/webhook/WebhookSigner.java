package dev.mcias.keycloak.audit.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): {@code v1,<base64 HMAC-SHA256 of
 * "{webhook-id}.{webhook-timestamp}.{body}">} keyed with the decoded bytes of a {@code whsec_<base64>} secret.
 */
public final class WebhookSigner {

    static final String PREFIX = "whsec_";
    /** The spec asks for secrets of 24 to 64 random bytes. */
    static final int MIN_SECRET_BYTES = 24;
    static final int MAX_SECRET_BYTES = 64;

    private WebhookSigner() {
    }

    /** The key bytes of a {@code whsec_<base64>} secret; the message never repeats the value. */
    public static byte[] decodeSecret(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a webhook secret has the form whsec_<base64>");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(PREFIX.length()).trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a webhook secret has the form whsec_<base64> (not valid base64)");
        }
        if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
            throw new IllegalArgumentException("a webhook secret must decode to " + MIN_SECRET_BYTES + " to "
                    + MAX_SECRET_BYTES + " bytes, not " + key.length);
        }
        return key;
    }

    /** One signature, {@code v1,<base64>}. */
    public static String sign(byte[] key, String id, long timestampSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] sig = mac.doFinal((id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    /**
     * The {@code webhook-signature} header: one signature per key, space-separated, so a receiver that knows either
     * the old or the new secret verifies during a rotation.
     */
    public static String header(List<byte[]> keys, String id, long timestampSeconds, String body) {
        return keys.stream().map(k -> sign(k, id, timestampSeconds, body)).collect(Collectors.joining(" "));
    }
}
