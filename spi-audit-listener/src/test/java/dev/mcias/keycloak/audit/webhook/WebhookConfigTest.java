package dev.mcias.keycloak.audit.webhook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class WebhookConfigTest {

    @Test
    void offWithoutUrl() {
        assertFalse(WebhookRealmConfig.parse(null, "LOGIN").on());
        assertFalse(WebhookRealmConfig.parse("  ", null).on());
    }

    @Test
    void httpsAnywhereHttpOnlyToLoopback() {
        for (String ok : List.of("https://hooks.example.com/x?a=b", "http://127.0.0.1:8080/hook", "http://localhost/h",
                "http://[::1]:9/h", "HTTPS://Example.com")) {
            assertTrue(WebhookRealmConfig.allowed(ok), ok);
        }
        for (String bad : List.of("http://example.com/h", "http://10.0.0.1/h", "ftp://example.com", "https://u:p@x.com/",
                "https://x.com/#f", "not a url", "https:///nohost", "https://x.com/" + "a".repeat(1100),
                "http://127.0.0.1.evil.com/")) {
            assertFalse(WebhookRealmConfig.allowed(bad), bad);
        }
    }

    @Test
    void severalUrlsUpToFiveRejectedOnesReported() {
        WebhookRealmConfig c = WebhookRealmConfig.parse("https://a.example, https://b.example\nhttp://evil.example "
                + "https://a.example", null);
        assertEquals(List.of("https://a.example", "https://b.example"), c.urls());
        assertEquals(List.of("http://evil.example"), c.rejected());
        WebhookRealmConfig many = WebhookRealmConfig.parse("https://1.x https://2.x https://3.x https://4.x https://5.x"
                + " https://6.x", null);
        assertEquals(5, many.urls().size());
        assertEquals(List.of("https://6.x"), many.rejected());
    }

    @Test
    void eventFilterByTypeAndPrefix() {
        WebhookRealmConfig all = WebhookRealmConfig.parse("https://a.example", null);
        assertTrue(all.matches("LOGIN") && all.matches("UPDATE:USER"));
        WebhookRealmConfig some = WebhookRealmConfig.parse("https://a.example", " LOGIN , ACTION:*,");
        assertTrue(some.matches("LOGIN"));
        assertTrue(some.matches("ACTION:MCIAS_SYSTEM_ACCOUNT"));
        assertFalse(some.matches("LOGIN_ERROR"));
        assertFalse(some.matches("UPDATE:USER"));
        assertTrue(WebhookRealmConfig.parse("https://a.example", "*").matches("ANYTHING"));
    }

    @Test
    void originHidesPathAndQuery() {
        assertEquals("https://hooks.example.com", WebhookRealmConfig.origin("https://hooks.example.com/T0/B1/secret?x=1"));
        assertEquals("http://127.0.0.1:8080", WebhookRealmConfig.origin("http://127.0.0.1:8080/hook"));
    }

    @Test
    void secretFileLinesPerRealmAndDefault() {
        String a = "whsec_" + Base64.getEncoder().encodeToString(new byte[24]);
        byte[] bKey = new byte[32];
        bKey[0] = 7;
        String b = "whsec_" + Base64.getEncoder().encodeToString(bKey);
        Map<String, List<byte[]>> m = WebhookSecrets.parse(List.of("# comment", "", "mcias:" + a, "mcias: " + b,
                "*:" + b));
        assertEquals(2, m.get("mcias").size());
        assertArrayEquals(bKey, m.get("*").get(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WebhookSecrets.parse(List.of("mcias:" + a, "other:whsec_c2hvcnQ=")));
        assertTrue(e.getMessage().startsWith("line 2:"), e.getMessage());
        assertFalse(e.getMessage().contains("c2hvcnQ"));
        assertThrows(IllegalArgumentException.class, () -> WebhookSecrets.parse(List.of(a)));
    }
}
