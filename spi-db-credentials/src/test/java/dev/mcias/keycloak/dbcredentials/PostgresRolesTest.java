package dev.mcias.keycloak.dbcredentials;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

class PostgresRolesTest {

    static final Pattern VERIFIER = Pattern.compile(
            "SCRAM-SHA-256\\$(\\d+):([A-Za-z0-9+/=]+)\\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)");

    static byte[] hmac(byte[] key, String message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    }

    /** RFC 5802/7677, computed independently: the verifier matches the password and nothing else. */
    @Test
    void verifierIsScramSha256OfThePassword() throws Exception {
        String password = PostgresRoles.newPassword();
        String verifier = PostgresRoles.scramVerifier(password);
        Matcher m = VERIFIER.matcher(verifier);
        assertTrue(m.matches(), verifier);
        int iterations = Integer.parseInt(m.group(1));
        byte[] salt = Base64.getDecoder().decode(m.group(2));
        assertTrue(iterations >= 4096);
        assertEquals(16, salt.length);
        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(hmac(salted, "Client Key"));
        byte[] serverKey = hmac(salted, "Server Key");
        assertArrayEquals(storedKey, Base64.getDecoder().decode(m.group(3)));
        assertArrayEquals(serverKey, Base64.getDecoder().decode(m.group(4)));
        assertFalse(verifier.contains(password));
        assertNotEquals(verifier, PostgresRoles.scramVerifier(password), "fresh salt each time");
    }

    @Test
    void createStatementCarriesTheVerifierNeverThePassword() {
        String password = PostgresRoles.newPassword();
        String verifier = PostgresRoles.scramVerifier(password);
        String sql = PostgresRoles.createSql("mcias_dyn_0123456789abcdef", verifier, Instant.parse("2030-01-01T00:00:00Z"),
                "readers");
        assertFalse(sql.contains(password));
        assertTrue(sql.contains(" PASSWORD '" + verifier + "'"), sql);
        assertTrue(sql.startsWith("CREATE ROLE \"mcias_dyn_0123456789abcdef\" WITH LOGIN NOSUPERUSER"), sql);
        assertTrue(sql.endsWith(" VALID UNTIL '2030-01-01T00:00:00Z' IN ROLE \"readers\""), sql);
        assertThrows(IllegalArgumentException.class, () -> PostgresRoles.createSql("mcias_dyn_0", password,
                Instant.now(), "readers"), "a plain password is refused");
    }

    @Test
    void failuresAreTransientOrConfiguration() {
        for (String state : new String[] {"08001", "08006", "53300", "57P03", "55006"}) {
            assertTrue(PostgresRoles.transientFailure(new SQLException("x", state)), state);
        }
        for (String state : new String[] {"28P01", "28000", "08004", "3D000", "42501", "42704"}) {
            assertFalse(PostgresRoles.transientFailure(new SQLException("x", state)), state);
        }
        assertEquals("a b (SQLState 28P01)", PostgresRoles.describe(new SQLException("a\nb", "28P01")));
    }

    @Test
    void onlyOwnRolesAreDropped() {
        assertThrows(IllegalArgumentException.class, () -> PostgresRoles.drop(null, "postgres"));
    }
}
