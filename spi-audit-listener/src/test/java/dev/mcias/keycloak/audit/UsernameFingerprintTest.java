package dev.mcias.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keycloak.events.Event;
import org.keycloak.events.EventType;

class UsernameFingerprintTest {

    static final byte[] KEY = new byte[32];

    static {
        for (int i = 0; i < KEY.length; i++) {
            KEY[i] = (byte) i;
        }
    }

    static Event loginError(String userId, String username) {
        Event e = new Event();
        e.setRealmId("realm-1");
        e.setTime(1000);
        e.setType(EventType.LOGIN_ERROR);
        e.setError(userId == null ? "user_not_found" : "invalid_user_credentials");
        e.setUserId(userId);
        e.setDetails(Map.of("username", username, "auth_method", "openid-connect"));
        return e;
    }

    @Test
    void unknownUsernameIsReplacedByItsKeyedFingerprint() {
        UsernameFingerprint fp = new UsernameFingerprint("k1", KEY);
        AuditRecordEntity r = AuditRecords.fromEvent(loginError(null, "Hunter2-secret!"), null, fp);
        assertFalse(r.getDetails().contains("Hunter2"), r.getDetails());
        assertFalse(r.getDetails().contains("\"username\""), r.getDetails());
        assertTrue(r.getDetails().contains("\"username_fingerprint\":\"" + fp.of("realm-1", "Hunter2-secret!") + "\""),
                r.getDetails());
        assertFalse(r.getDetails().contains("dropped_details"), "replaced, not dropped: " + r.getDetails());
    }

    @Test
    void aKnownUsersUsernameStays() {
        UsernameFingerprint fp = new UsernameFingerprint("k1", KEY);
        AuditRecordEntity r = AuditRecords.fromEvent(loginError("user-id", "alice"), null, fp);
        assertTrue(r.getDetails().contains("\"username\":\"alice\""), r.getDetails());
        assertFalse(r.getDetails().contains("username_fingerprint"), r.getDetails());
    }

    @Test
    void fingerprintsCorrelateEqualValuesOnlyUnderTheSameKeyAndRealm() {
        UsernameFingerprint fp = new UsernameFingerprint("k1", KEY);
        String a = fp.of("realm-1", "value");
        assertEquals(a, fp.of("realm-1", "value"));
        assertTrue(a.matches("k1:[0-9a-f]{32}"), a);
        assertNotEquals(a, fp.of("realm-1", "value2"));
        assertNotEquals(a, fp.of("realm-2", "value"));
        byte[] other = KEY.clone();
        other[0] ^= 1;
        assertNotEquals(a.substring(3), new UsernameFingerprint("k1", other).of("realm-1", "value").substring(3));
        assertNotEquals(UsernameFingerprint.ephemeral().of("r", "v"), UsernameFingerprint.ephemeral().of("r", "v"));
    }

    @Test
    void keyFileFirstKeyIsUsedAndErrorsNeverShowKeyMaterial(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("k");
        String b64 = Base64.getEncoder().encodeToString(KEY);
        Files.writeString(file, "# comment\n\nk7:" + b64 + "\nk8:" + Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        UsernameFingerprint fp = UsernameFingerprint.fromKeyFile(file);
        assertEquals("k7", fp.keyId());
        assertEquals(new UsernameFingerprint("k7", KEY).of("r", "v"), fp.of("r", "v"));

        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        for (String content : new String[] {"", "# only a comment\n", "k1:" + shortKey + "\n", "nocolon" + b64 + "\n",
                "k1:not base64!\n", "bad id!:" + b64 + "\n"}) {
            Files.writeString(file, content);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> UsernameFingerprint.fromKeyFile(file),
                    content);
            assertFalse(e.getMessage().contains(b64) || e.getMessage().contains(shortKey), e.getMessage());
        }
        assertThrows(IllegalStateException.class, () -> UsernameFingerprint.fromKeyFile(dir.resolve("missing")));
    }
}
