package dev.mcias.keycloak.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JsonBodiesTest {

    static Errors.BadRequest refused(String body) {
        return assertThrows(Errors.BadRequest.class, () -> JsonBodies.readObject(
                new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), 64));
    }

    @Test
    void oneObjectIsRead() throws Exception {
        assertEquals("x", JsonBodies.readObject(new ByteArrayInputStream("  {\"name\":\"x\"}\n".getBytes(
                StandardCharsets.UTF_8)), 64).path("name").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":\"x\"}garbage", "{\"name\":\"x\"}{\"name\":\"y\"}", "{\"a\":1} 2",
            "{\"name\":\"x\"", "[]", "\"x\"", "null", "1", ""})
    void anythingButExactlyOneObjectIsRefused(String body) {
        refused(body);
    }

    @Test
    void duplicateKeysAreRefusedAndNamed() {
        assertEquals("duplicate key in JSON object", refused("{\"name\":\"x\",\"name\":\"y\"}").getMessage());
    }

    @Test
    void oversizedBodiesAreRefusedBeforeParsing() {
        assertEquals("body larger than 64 bytes", refused("{\"name\":\"" + "x".repeat(100) + "\"}").getMessage());
    }
}
