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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.mcias.keycloak.common.OpaqueToken;
import dev.mcias.keycloak.common.Errors;

class CreateInviteRequestTest {

    static CreateInviteRequest parse(String json) throws Errors.BadRequest {
        return CreateInviteRequest.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    static String refused(String json) {
        return assertThrows(Errors.BadRequest.class, () -> parse(json), json).getMessage();
    }

    @Test
    void defaultsAndAFullRequest() throws Exception {
        CreateInviteRequest empty = parse("{}");
        assertEquals(7L * 24 * 3600, empty.expiresIn());
        assertEquals(List.of(), empty.roles());
        assertFalse(empty.sendEmail());
        assertEquals(empty, parse("{\"username\":null,\"email\":null,\"roles\":null,\"app\":null,"
                + "\"expires_in\":null,\"note\":null,\"send_email\":null}"), "null is an absent field");
        CreateInviteRequest full = parse("{\"username\":\"sam\",\"email\":\"Sam@Example.org\","
                + "\"roles\":[\"a\",\"b\",\"a\"],\"app\":\"grafana\",\"expires_in\":3600,\"note\":\"for Sam\","
                + "\"send_email\":true}");
        assertEquals("sam@example.org", full.email());
        assertEquals(List.of("a", "b"), full.roles(), "duplicates collapse");
        assertEquals(3600L, full.expiresIn());
        assertTrue(full.sendEmail());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"expires_in\":59}", "{\"expires_in\":2592001}", "{\"username\":\"Sam\"}",
            "{\"username\":\"\"}", "{\"email\":\"sam\"}", "{\"email\":\"\"}", "{\"roles\":[\"a b\"]}",
            "{\"roles\":[null]}", "{\"roles\":[\"\"]}", "{\"app\":\"\"}", "{\"note\":\"\"}",
            "{\"note\":\"a\\u202eb\"}", "{\"note\":\"bell\\u0007\"}", "{\"send_email\":true}",
            "{\"send_email\":true,\"email\":null}"})
    void valuesTheRulesRefuse(String json) {
        String field = json.substring(2, json.indexOf('"', 2));
        assertTrue(refused(json).startsWith(field), json + ": " + refused(json));
    }

    @Test
    void rolesAreBounded() {
        assertEquals("roles must be an array of at most 20 role names",
                refused("{\"roles\":[" + "\"r\",".repeat(20) + "\"r\"]}"));
        StringBuilder nine = new StringBuilder();
        for (int i = 1; i <= 9; i++) {
            nine.append(i == 1 ? "" : ",").append('"').append("r".repeat(254)).append(i).append('"');
        }
        assertEquals("roles: at most 2048 characters in all", refused("{\"roles\":[" + nine + "]}"));
        assertTrue(refused("{\"roles\":[\"" + "r".repeat(256) + "\"]}").startsWith("roles must be role names"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"expires_in\":\"7d\"}", "{\"expires_in\":\"3600\"}", "{\"expires_in\":1.5}",
            "{\"expires_in\":3600.0}", "{\"expires_in\":true}", "{\"send_email\":\"yes\"}", "{\"send_email\":1}",
            "{\"roles\":\"admin\"}", "{\"roles\":[1]}", "{\"roles\":[[\"a\"]]}", "{\"note\":5}",
            "{\"username\":[\"sam\"]}", "{\"email\":{}}"})
    void valuesOfAnotherTypeAreRefused(String json) {
        String field = json.substring(2, json.indexOf('"', 2));
        assertEquals(field + ": wrong type", refused(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"x\":1}", "{\"expiresIn\":60}", "{\"note\":\"a\",\"note\":\"b\"}", "{} {}",
            "{\"note\":\"a\"} garbage", "{\"note\":\"tab\there\"}", "[]", "nope", ""})
    void bodiesTheStrictReaderRefuses(String json) {
        refused(json);
    }

    @Test
    void theReaderAnswersBeforeTheRules() {
        assertEquals("unknown field: emial", refused("{\"emial\":\"a@example.org\",\"send_email\":true}"));
        assertTrue(refused("{\"username\":\"Bad\"} x").startsWith("malformed JSON"));
    }

    @Test
    void oversizedBodiesAreRefused() {
        assertEquals("body larger than 8192 bytes", refused("{\"note\":\"" + "x".repeat(9000) + "\"}"));
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
