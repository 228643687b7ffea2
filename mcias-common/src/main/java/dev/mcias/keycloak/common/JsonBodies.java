package dev.mcias.keycloak.common;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * Request bodies of the MCIAS REST resources, bound to records: one JSON object, bounded in size, nothing after it,
 * no key twice (a duplicate key is read differently by different parsers, so a body with one is ambiguous), no
 * field the record lacks, and every value of its field's own JSON type: {@code "60"}, {@code 60.5} or {@code true}
 * are not numbers, {@code 60} is not a string, {@code 1} is not a boolean. {@code null} binds as an absent field,
 * so optional components are wrapper types. The record's own rules are a step after this one, not its constructor:
 * Jackson reports unknown fields and data after the object only once the record is constructed, and a misspelt
 * field must be answered as such, not with the rule its absence breaks.
 */
public final class JsonBodies {

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // Strings are not scalars to Jackson, so the line above leaves number and boolean to string alone.
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private JsonBodies() {
    }

    /** Reads at most {@code maxBytes} of one JSON object into {@code type}; anything else is a 400. */
    public static <T> T read(InputStream body, int maxBytes, Class<T> type) throws Errors.BadRequest {
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
        try (JsonParser p = STRICT.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Errors.BadRequest("body must be a JSON object");
            }
            return STRICT.readValue(p, type);
        } catch (UnrecognizedPropertyException e) {
            throw new Errors.BadRequest("unknown field: " + Text.printable(e.getPropertyName()));
        } catch (InvalidDefinitionException | ValueInstantiationException e) {
            throw new IllegalStateException(type.getName() + " cannot be bound from JSON", e);
        } catch (JsonMappingException e) {
            // A value that is not of its field's type (or out of its range) names the field. Without a field it is
            // data after the object; a syntax error inside a string comes wrapped with its field.
            if (e.getPath().isEmpty() || e.getCause() instanceof JsonParseException) {
                throw malformed();
            }
            throw new Errors.BadRequest(Text.printable(e.getPath().get(0).getFieldName()) + ": wrong type");
        } catch (IOException e) {
            // JsonParseException: a syntax error or a duplicate key (the parser reports it like any other error,
            // with no type of its own). Reading a byte array fails no other way.
            throw malformed();
        }
    }

    private static Errors.BadRequest malformed() {
        return new Errors.BadRequest("malformed JSON: one object expected, each key once, nothing after it");
    }
}
