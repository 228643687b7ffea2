package dev.mcias.keycloak.audit.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

class WebhookSignerTest {

    /** The test vector published with the Standard Webhooks reference libraries. */
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long TS = 1614265330L;
    static final String BODY = "{\"test\": 2432232314}";
    static final String EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    @Test
    void reproducesTheStandardWebhooksTestVector() {
        assertEquals(EXPECTED, WebhookSigner.sign(WebhookSigner.decodeSecret(SECRET), ID, TS, BODY));
    }

    @Test
    void anyChangeOfIdTimestampOrBodyChangesTheSignature() {
        byte[] key = WebhookSigner.decodeSecret(SECRET);
        assertFalse(EXPECTED.equals(WebhookSigner.sign(key, ID + "x", TS, BODY)));
        assertFalse(EXPECTED.equals(WebhookSigner.sign(key, ID, TS + 1, BODY)));
        assertFalse(EXPECTED.equals(WebhookSigner.sign(key, ID, TS, BODY + " ")));
    }

    @Test
    void oneSignaturePerKeySpaceSeparatedForRotation() {
        byte[] old = WebhookSigner.decodeSecret(SECRET);
        byte[] fresh = new byte[32];
        fresh[0] = 1;
        String header = WebhookSigner.header(List.of(old, fresh), ID, TS, BODY);
        String[] parts = header.split(" ");
        assertEquals(2, parts.length);
        assertEquals(EXPECTED, parts[0]);
        assertTrue(parts[1].startsWith("v1,"));
    }

    @Test
    void secretsMustBeWhsecBase64Of24To64Bytes() {
        String b64of = Base64.getEncoder().encodeToString(new byte[23]);
        for (String bad : new String[] {null, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!", "whsec_" + b64of,
                "whsec_" + Base64.getEncoder().encodeToString(new byte[65])}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WebhookSigner.decodeSecret(bad));
            if (bad != null && bad.length() > 8) {
                assertFalse(e.getMessage().contains(bad.substring(6)), "the message never repeats the value");
            }
        }
        assertEquals(64, WebhookSigner.decodeSecret("whsec_" + Base64.getEncoder().encodeToString(new byte[64])).length);
    }
}
