package dev.mcias.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class AuditChainTest {

    static AuditRecordEntity record(String details) {
        AuditRecordEntity r = new AuditRecordEntity();
        r.setId("id-1");
        r.setRealmId("realm");
        r.setSeq(1);
        r.setTime(1000);
        r.setKind("USER");
        r.setType("LOGIN");
        r.setOutcome("success");
        r.setUserId("u");
        r.setDetails(details);
        r.setPrevHash(AuditChain.GENESIS);
        return r;
    }

    @Test
    void hashCoversEveryFieldAndThePreviousHash() {
        String base = AuditChain.hash(record("{}"));
        assertEquals(64, base.length());
        assertEquals(base, AuditChain.hash(record("{}")));
        AuditRecordEntity r = record("{}");
        r.setPrevHash("1".repeat(64));
        assertNotEquals(base, AuditChain.hash(r));
        r = record("{}");
        r.setSeq(2);
        assertNotEquals(base, AuditChain.hash(r));
        r = record("{}");
        r.setOutcome("error");
        assertNotEquals(base, AuditChain.hash(r));
        r = record("{}");
        r.setIpAddress("127.0.0.1");
        assertNotEquals(base, AuditChain.hash(r));
    }

    @Test
    void encodingIsUnambiguous() {
        // Moving a character between adjacent fields changes the hash (length prefixes).
        AuditRecordEntity a = record("{}");
        a.setUserId("ab");
        a.setClientId("c");
        AuditRecordEntity b = record("{}");
        b.setUserId("a");
        b.setClientId("bc");
        assertNotEquals(AuditChain.hash(a), AuditChain.hash(b));
        AuditRecordEntity n = record("{}");
        n.setError(null);
        AuditRecordEntity e = record("{}");
        e.setError("");
        assertNotEquals(AuditChain.hash(n), AuditChain.hash(e), "null and empty differ");
    }

    @Test
    void detailsAreAllowListed() {
        Map<String, String> in = new LinkedHashMap<>();
        in.put("username", "alice");
        in.put("grant_type", "password");
        in.put("password", "hunter2");
        in.put("client_secret", "s3cret");
        in.put("code", "abc");
        in.put("otp", "123456");
        in.put("authorization", "Basic xyz");
        Map<String, String> out = DetailsFilter.filter(in);
        assertEquals("alice", out.get("username"));
        assertEquals("password", out.get("grant_type"));
        String all = out.toString();
        assertFalse(all.contains("hunter2") || all.contains("s3cret") || all.contains("123456")
                || all.contains("xyz") || all.contains("=abc"), all);
        assertTrue(out.get("dropped_details").contains("password"));
        assertEquals(Map.of(), DetailsFilter.filter(null));
    }

    @Test
    void longValuesAreBounded() {
        Map<String, String> out = DetailsFilter.filter(Map.of("redirect_uri", "x".repeat(5000)));
        assertTrue(out.get("redirect_uri").length() <= DetailsFilter.MAX_VALUE_LENGTH + 3);
    }
}
