package dev.mcias.keycloak.invites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mcias.keycloak.common.OpaqueToken;
import dev.mcias.keycloak.common.Errors;

class CreateInviteRequestTest {

    static CreateInviteRequest parse(String json) throws Errors.BadRequest {
        return CreateInviteRequest.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void defaultsAndAFullRequest() throws Exception {
        CreateInviteRequest empty = parse("{}");
        assertEquals(7L * 24 * 3600, empty.expiresIn());
        assertEquals(List.of(), empty.roles());
        assertFalse(empty.sendEmail());
        CreateInviteRequest full = parse("{\"username\":\"sam\",\"email\":\"Sam@Example.org\",\"roles\":[\"a\",\"b\",\"a\"],"
                + "\"app\":\"grafana\",\"expires_in\":3600,\"note\":\"for Sam\",\"send_email\":true}");
        assertEquals("sam@example.org", full.email());
        assertEquals(List.of("a", "b"), full.roles(), "duplicates collapse");
        assertEquals(3600, full.expiresIn());
        assertTrue(full.sendEmail());
    }

    @Test
    void badInputIsABadRequest() {
        for (String bad : List.of("{\"expires_in\":59}", "{\"expires_in\":2592001}", "{\"expires_in\":\"7d\"}",
                "{\"username\":\"Sam\"}", "{\"username\":\"\"}", "{\"email\":\"sam\"}", "{\"roles\":[1]}",
                "{\"roles\":[\"a b\"]}", "{\"note\":\"a\\u202eb\"}", "{\"send_email\":true}", "{\"x\":1}",
                "{\"note\":\"a\",\"note\":\"b\"}", "{} {}")) {
            assertThrows(Errors.BadRequest.class, () -> parse(bad), bad);
        }
    }

    @Test
    void tokensAreRandomWellFormedAndStoredAsSha256() {
        String a = OpaqueToken.INVITE.generate();
        String b = OpaqueToken.INVITE.generate();
        assertNotEquals(a, b);
        assertTrue(OpaqueToken.INVITE.wellFormed(a), a);
        assertFalse(OpaqueToken.INVITE.wellFormed(a + "x"));
        assertFalse(OpaqueToken.INVITE.wellFormed("mcias_sat_" + a.substring(10)));
        assertEquals(64, OpaqueToken.hash(a).length());
        assertTrue(OpaqueToken.sameHash(OpaqueToken.hash(a), OpaqueToken.hash(a)));
        assertFalse(OpaqueToken.sameHash(OpaqueToken.hash(a), OpaqueToken.hash(b)));
    }
}
