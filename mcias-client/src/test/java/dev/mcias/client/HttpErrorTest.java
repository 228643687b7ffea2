package dev.mcias.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class HttpErrorTest {

    @Test
    void oauthAndMciasErrorBodies() {
        ApiException e = Http.error(404, "{\"error\":\"not_found\",\"error_description\":\"no such account\"}");
        assertEquals(404, e.status());
        assertEquals("not_found", e.error());
        assertEquals("no such account (not_found)", e.getMessage());
    }

    @Test
    void keycloakAdminErrorBodies() {
        ApiException e = Http.error(409, "{\"errorMessage\":\"User exists with same username\"}");
        assertNull(e.error());
        assertEquals("User exists with same username", e.getMessage());
    }

    @Test
    void htmlOrEmptyBodiesGiveTheStatus() {
        assertEquals("HTTP 403 (forbidden)", Http.error(403, "<html>nope</html>").getMessage());
        assertEquals("HTTP 500", Http.error(500, "").getMessage());
        assertEquals("HTTP 401 (not authenticated)", Http.error(401, null).getMessage());
    }

    @Test
    void pkceChallengeIsUnpaddedBase64UrlOfSha256() {
        // Expected value computed independently: python3 hashlib.sha256 + base64.urlsafe_b64encode, '=' stripped.
        assertEquals("vMIAQuqLtaddnl2ammtK4QDCZNSoI087f4Mn_hW0JT0",
                Oidc.s256("dBjftJeZ4CVP-mJ92K3fhlMfqjxrT3rRLAj6ceA8kzs"));
    }

    @Test
    void queryEncoding() {
        var q = new java.util.LinkedHashMap<String, String>();
        q.put("type", "UPDATE:USER");
        q.put("user", null);
        q.put("from", "2026-01-01T00:00:00Z");
        assertEquals("?type=UPDATE%3AUSER&from=2026-01-01T00%3A00%3A00Z", MciasClient.query(q));
        assertEquals("", MciasClient.query(java.util.Map.of()));
    }
}
