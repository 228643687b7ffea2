package dev.mcias.keycloak.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonBodiesTest {

    static final String MALFORMED = "malformed JSON: one object expected, each key once, nothing after it";

    record Body(String name, @JsonProperty("token_ttl") Long tokenTtl, Boolean flag, List<String> tags) {
        Body {
            if ("crash".equals(name)) {
                throw new IllegalArgumentException("a constructor that fails is a bug, not a bad request");
            }
        }
    }

    static Body read(String body) throws Errors.BadRequest {
        return JsonBodies.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), 128, Body.class);
    }

    static String refused(String body) {
        return assertThrows(Errors.BadRequest.class, () -> read(body), body).getMessage();
    }

    @Test
    void oneObjectIsBound() throws Exception {
        assertEquals(new Body("x", 60L, true, List.of("a")),
                read("  {\"name\":\"x\",\"token_ttl\":60,\"flag\":true,\"tags\":[\"a\"]}\n"));
        assertEquals(new Body(null, null, null, null), read("{\"name\":null,\"token_ttl\":null}"), "null is absent");
        assertEquals("a\u0007b", read("{\"name\":\"a\\u0007b\"}").name(), "escaped text is the record's to judge");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"x\"", "null", "1", "true", "[{\"name\":\"x\"}]"})
    void anythingButAnObjectIsRefused(String body) {
        assertEquals("body must be a JSON object", refused(body));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":\"x\"}garbage", "{\"name\":\"x\"}{\"name\":\"y\"}", "{\"name\":\"x\"} 2",
            "{\"name\":\"x\"", "{\"name\":\"x\",}", "{name:\"x\"}", "{'name':'x'}", "{\"token_ttl\":NaN}",
            "{\"token_ttl\":012}", "{\"name\":\"x\",\"name\":\"y\"}", "{\"name\":null,\"name\":\"y\"}",
            "{\"name\":\"a\u0000b\"}", "{\"name\":\"tab\there\"}", "{\"name\":\"line\nbreak\"}", "nope", "{} /**/"})
    void malformedTrailingDataDuplicateKeysAndRawControlCharactersAreRefused(String body) {
        assertEquals(MALFORMED, refused(body));
    }

    @Test
    void unknownFieldsAreNamedPrintably() {
        assertEquals("unknown field: extra", refused("{\"name\":\"x\",\"extra\":1}"));
        assertEquals("unknown field: tokenTtl", refused("{\"tokenTtl\":60}"), "only the JSON name binds");
        assertEquals("unknown field: a?b?", refused("{\"a\\u0000b\\u202e\":1}"));
        assertEquals("unknown field: " + "k".repeat(64) + "...", refused("{\"" + "k".repeat(70) + "\":1}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"token_ttl\":\"60\"}", "{\"token_ttl\":60.5}", "{\"token_ttl\":60.0}",
            "{\"token_ttl\":6e1}", "{\"token_ttl\":true}", "{\"token_ttl\":\"\"}", "{\"token_ttl\":[60]}",
            "{\"token_ttl\":{}}", "{\"token_ttl\":99999999999999999999}"})
    void numbersMustBeWholeJsonNumbers(String body) {
        assertEquals("token_ttl: wrong type", refused(body));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":42}", "{\"name\":4.2}", "{\"name\":true}", "{\"name\":{}}",
            "{\"name\":[\"x\"]}", "{\"flag\":1}", "{\"flag\":\"true\"}", "{\"tags\":\"a\"}", "{\"tags\":[1]}",
            "{\"tags\":[[\"a\"]]}"})
    void everyValueMustHaveItsFieldsType(String body) {
        String field = body.substring(2, body.indexOf('"', 2));
        assertEquals(field + ": wrong type", refused(body));
    }

    @Test
    void aConstructorThatFailsIsNoBadRequestAndNoValueIsEchoed() {
        assertThrows(IllegalStateException.class, () -> read("{\"name\":\"crash\"}"));
        assertFalse(refused("{\"token_ttl\":\"hunter2-secret\"}").contains("hunter2"));
        assertFalse(refused("{\"name\":[\"hunter2-secret\"]}").contains("hunter2"));
    }

    @Test
    void sizeIsBoundedBeforeParsingAndEmptyIsNamed() throws Exception {
        String exactly = "{\"name\":\"" + "x".repeat(128 - 11) + "\"}";
        assertEquals(128, exactly.length());
        assertEquals(117, read(exactly).name().length());
        assertEquals("body larger than 128 bytes", refused("{\"name\":\"" + "x".repeat(118) + "\"}"));
        assertEquals("body larger than 128 bytes", refused("{" + " ".repeat(200)), "not parsed at all");
        assertEquals("empty body", refused(""));
        assertEquals("empty body", assertThrows(Errors.BadRequest.class,
                () -> JsonBodies.read(null, 128, Body.class)).getMessage());
        assertEquals("body must be a JSON object", refused(" \n "), "only whitespace");
    }
}
