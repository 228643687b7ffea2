package dev.mcias.keycloak.dbcredentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

class SecretBoxTest {

    static String key(String id) {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return id + ":" + Base64.getEncoder().encodeToString(b);
    }

    @Test
    void roundTripBindsKeyAndContext() {
        String k1 = key("k1");
        SecretBox box = SecretBox.parse(List.of("# comment", k1, key("k0")), "test");
        assertEquals("k1", box.currentKeyId());
        String ct = box.encrypt("s3cret-Password", "realm|client|row");
        assertFalse(ct.contains("s3cret"));
        assertNotEquals(ct, box.encrypt("s3cret-Password", "realm|client|row"), "random nonce");
        assertEquals("s3cret-Password", box.decrypt("k1", ct, "realm|client|row"));
        assertThrows(SecretBox.KeyUnavailableException.class, () -> box.decrypt("k1", ct, "realm|other|row"));
        assertThrows(SecretBox.KeyUnavailableException.class, () -> box.decrypt("k0", ct, "realm|client|row"));
        assertThrows(SecretBox.KeyUnavailableException.class, () -> box.decrypt("k9", ct, "realm|client|row"));
        String tampered = Base64.getEncoder().encodeToString(flipLast(Base64.getDecoder().decode(ct)));
        assertThrows(SecretBox.KeyUnavailableException.class, () -> box.decrypt("k1", tampered, "realm|client|row"));
        // Same key material under the old id still decrypts after the file gains a newer first key.
        SecretBox rotated = SecretBox.parse(List.of(key("k2"), k1), "test");
        assertEquals("s3cret-Password", rotated.decrypt("k1", ct, "realm|client|row"));
    }

    static byte[] flipLast(byte[] b) {
        b[b.length - 1] ^= 1;
        return b;
    }

    @Test
    void badKeyFilesAreRejectedWithoutKeyMaterialInTheMessage() {
        String k = key("k1");
        for (List<String> lines : List.of(List.<String>of(), List.of("# only a comment"), List.of("nocolon"),
                List.of("k1:not base64!"), List.of("k1:" + Base64.getEncoder().encodeToString(new byte[16])),
                List.of("bad id!:" + k.substring(3)), List.of(k, k))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> SecretBox.parse(lines, "f"));
            assertFalse(e.getMessage().contains(k.substring(3)), e.getMessage());
            assertTrue(e.getMessage().startsWith("db-credentials: key file f"), e.getMessage());
        }
    }
}
