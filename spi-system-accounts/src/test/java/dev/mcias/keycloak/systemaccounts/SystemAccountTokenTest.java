package dev.mcias.keycloak.systemaccounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.mcias.keycloak.common.OpaqueToken;

class SystemAccountTokenTest {

    @Test
    void tokensAreRecognisableAndRandom() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String t = OpaqueToken.SYSTEM_ACCOUNT.generate();
            assertTrue(t.matches("mcias_sat_[A-Za-z0-9_-]{43}"), t);
            assertTrue(OpaqueToken.SYSTEM_ACCOUNT.wellFormed(t));
            assertTrue(seen.add(t));
        }
    }

    @Test
    void malformedCandidatesAreRejectedCheaply() {
        String t = OpaqueToken.SYSTEM_ACCOUNT.generate();
        assertFalse(OpaqueToken.SYSTEM_ACCOUNT.wellFormed(null));
        assertFalse(OpaqueToken.SYSTEM_ACCOUNT.wellFormed(""));
        assertFalse(OpaqueToken.SYSTEM_ACCOUNT.wellFormed(t.substring(1)));
        assertFalse(OpaqueToken.SYSTEM_ACCOUNT.wellFormed(t + "A"));
        assertFalse(OpaqueToken.SYSTEM_ACCOUNT.wellFormed("other_sat_" + t.substring(10)));
        assertFalse(OpaqueToken.SYSTEM_ACCOUNT.wellFormed(t.substring(0, 20) + "+" + t.substring(21)));
    }

    @Test
    void hashAndFingerprintAreStableAndUnrelated() {
        String t = OpaqueToken.SYSTEM_ACCOUNT.generate();
        assertEquals(OpaqueToken.hash(t), OpaqueToken.hash(t));
        assertEquals(64, OpaqueToken.hash(t).length());
        assertEquals(16, OpaqueToken.SYSTEM_ACCOUNT.fingerprint(t).length());
        assertFalse(OpaqueToken.hash(t).startsWith(OpaqueToken.SYSTEM_ACCOUNT.fingerprint(t)),
                "fingerprint is not a hash prefix");
        assertNotEquals(OpaqueToken.hash(t), OpaqueToken.hash(OpaqueToken.SYSTEM_ACCOUNT.generate()));
        assertTrue(OpaqueToken.sameHash(OpaqueToken.hash(t), OpaqueToken.hash(t)));
        assertFalse(OpaqueToken.sameHash(OpaqueToken.hash(t), null));
    }

    @Test
    void tokenCheck() {
        String t = OpaqueToken.SYSTEM_ACCOUNT.generate();
        SystemAccountTokenEntity row = new SystemAccountTokenEntity();
        assertEquals(SystemAccountTokenStore.Check.NO_TOKEN, SystemAccountTokenStore.check(null, t));
        assertEquals(SystemAccountTokenStore.Check.NO_TOKEN, SystemAccountTokenStore.check(row, t));
        row.setTokenHash(OpaqueToken.hash(t));
        row.setExpiresAt(System.currentTimeMillis() + 60_000);
        assertEquals(SystemAccountTokenStore.Check.VALID, SystemAccountTokenStore.check(row, t));
        assertEquals(SystemAccountTokenStore.Check.WRONG_TOKEN,
                SystemAccountTokenStore.check(row, OpaqueToken.SYSTEM_ACCOUNT.generate()));
        assertEquals(SystemAccountTokenStore.Check.WRONG_TOKEN, SystemAccountTokenStore.check(row, "garbage"));
        assertEquals(SystemAccountTokenStore.Check.WRONG_TOKEN, SystemAccountTokenStore.check(row, null));
        row.setExpiresAt(System.currentTimeMillis() - 1);
        assertEquals(SystemAccountTokenStore.Check.EXPIRED, SystemAccountTokenStore.check(row, t));
    }

    @Test
    void namesAndTtls() {
        assertTrue(SystemAccounts.validName("billing-api"));
        assertTrue(SystemAccounts.validName("a1"));
        assertFalse(SystemAccounts.validName("a"));
        assertFalse(SystemAccounts.validName("Billing"));
        assertFalse(SystemAccounts.validName("1abc"));
        assertFalse(SystemAccounts.validName("a_b"));
        assertFalse(SystemAccounts.validName("a".repeat(64)));
        assertTrue(SystemAccounts.validName("a".repeat(63)));
        assertFalse(SystemAccounts.validName(null));
        assertTrue(SystemAccounts.validTtl(60));
        assertFalse(SystemAccounts.validTtl(59));
        assertFalse(SystemAccounts.validTtl(SystemAccounts.MAX_TTL_SECONDS + 1));
    }
}
