package dev.mcias.keycloak.systemaccounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.mcias.keycloak.common.Errors;

class CreateAccountRequestTest {

    static CreateAccountRequest parse(String json) throws Errors.BadRequest {
        return CreateAccountRequest.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    static String refused(String json) {
        return assertThrows(Errors.BadRequest.class, () -> parse(json), json).getMessage();
    }

    @Test
    void aNameAloneOrWithDescriptionAndTtl() throws Exception {
        assertEquals(new CreateAccountRequest("billing", null, null), parse("{\"name\":\"billing\"}"));
        assertEquals(new CreateAccountRequest("billing", null, null),
                parse("{\"name\":\"billing\",\"description\":null,\"token_ttl\":null}"));
        assertEquals(new CreateAccountRequest("billing", "nightly job", 86400L),
                parse("{\"name\":\"billing\",\"description\":\"nightly job\",\"token_ttl\":86400}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"name\":null}", "{\"name\":\"A\"}", "{\"name\":\"x\"}", "{\"name\":\"9abc\"}",
            "{\"name\":\"a_b\"}", "{\"name\":\"\"}"})
    void badNames(String json) {
        assertTrue(refused(json).startsWith("name must be 2-63 characters"), json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":\"okname\",\"token_ttl\":59}", "{\"name\":\"okname\",\"token_ttl\":31622401}",
            "{\"name\":\"okname\",\"token_ttl\":-60}"})
    void ttlOutOfBounds(String json) {
        assertEquals("token_ttl must be whole seconds between 60 and 31622400", refused(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"60\"", "60.5", "60.0", "true", "[60]"})
    void ttlOfAnotherTypeThanAWholeNumber(String value) {
        assertEquals("token_ttl: wrong type", refused("{\"name\":\"okname\",\"token_ttl\":" + value + "}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"a\\u0000b\"", "\"tab\\there\"", "\"evil\\u202Etxt.exe\"", "\"lone\\ud800\""})
    void descriptionsWithControlOrBidiCharacters(String value) {
        assertTrue(refused("{\"name\":\"okname\",\"description\":" + value + "}").startsWith("description must be"));
    }

    @Test
    void everythingElseTheBodyRulesRefuse() {
        assertTrue(refused("{\"name\":\"okname\",\"description\":\"" + "d".repeat(256) + "\"}")
                .startsWith("description must be a string of at most 255"));
        assertEquals("description: wrong type", refused("{\"name\":\"okname\",\"description\":5}"));
        assertEquals("name: wrong type", refused("{\"name\":42}"));
        assertEquals("unknown field: extra", refused("{\"name\":\"okname\",\"extra\":1}"));
        assertEquals("unknown field: tokenTtl", refused("{\"name\":\"okname\",\"tokenTtl\":60}"));
        assertEquals("unknown field: nme", refused("{\"nme\":\"billing\"}"), "a misspelt field, not a missing name");
        assertTrue(refused("{\"name\":\"A\"} {}").startsWith("malformed JSON"), "the reader before the rules");
        assertTrue(refused("{\"name\":\"okname\",\"name\":\"other\"}").startsWith("malformed JSON"));
        assertTrue(refused("{\"name\":\"okname\"} {}").startsWith("malformed JSON"));
        assertEquals("body must be a JSON object", refused("[]"));
        assertEquals("body larger than 4096 bytes",
                refused("{\"name\":\"okname\",\"description\":\"" + "x".repeat(5000) + "\"}"));
    }
}
