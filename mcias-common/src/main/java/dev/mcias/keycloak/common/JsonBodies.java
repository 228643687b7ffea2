package dev.mcias.keycloak.common;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Request bodies of the MCIAS REST resources: one JSON object, bounded in size, nothing after it and no key
 * twice (a duplicate key is read differently by different parsers, so a body with one is ambiguous).
 */
public final class JsonBodies {

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonBodies() {
    }

    /** Reads at most {@code maxBytes} of one JSON object; anything else is a {@link Errors.BadRequest}. */
    public static JsonNode readObject(InputStream body, int maxBytes) throws Errors.BadRequest {
        byte[] bytes;
        try {
            bytes = body == null ? new byte[0] : body.readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw new Errors.BadRequest("unreadable body");
        }
        if (bytes.length > maxBytes) {
            throw new Errors.BadRequest("body larger than " + maxBytes + " bytes");
        }
        if (bytes.length == 0) {
            throw new Errors.BadRequest("empty body");
        }
        JsonNode json;
        try {
            json = STRICT.readTree(bytes);
        } catch (IOException e) {
            throw new Errors.BadRequest(e.getMessage() != null && e.getMessage().startsWith("Duplicate field")
                    ? "duplicate key in JSON object" : "malformed JSON (one JSON object expected)");
        }
        if (json == null || !json.isObject()) {
            throw new Errors.BadRequest("body must be a JSON object");
        }
        return json;
    }
}
