package dev.mcias.keycloak.systemaccounts;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.util.JsonSerialization;

/** JSON error answers and bounded request-body parsing shared by the MCIAS REST resources. */
public final class Errors {

    private Errors() {
    }

    public static Response json(Response.Status status, String error, String description) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", error, "error_description", description)).build();
    }

    public static Response unauthorized() {
        return Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON)
                .header("WWW-Authenticate", "Bearer")
                .entity(Map.of("error", "unauthorized", "error_description", "a valid bearer token is required"))
                .build();
    }

    public static Response invalidToken() {
        return Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON)
                .header("WWW-Authenticate", "Basic realm=\"system-accounts\"")
                .entity(Map.of("error", "invalid_token", "error_description", "unknown account or invalid token"))
                .build();
    }

    public static Response forbidden() {
        return json(Response.Status.FORBIDDEN, "forbidden", "not allowed");
    }

    public static Response notFound() {
        return json(Response.Status.NOT_FOUND, "not_found", "no such account");
    }

    public static Response badRequest(String description) {
        return json(Response.Status.BAD_REQUEST, "invalid_request", description);
    }

    /** Reads at most {@code maxBytes} of JSON; larger or malformed bodies are a 400. */
    public static JsonNode readBoundedJson(InputStream body, int maxBytes) throws BadRequest {
        byte[] bytes;
        try {
            bytes = body == null ? new byte[0] : body.readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw new BadRequest("unreadable body");
        }
        if (bytes.length > maxBytes) {
            throw new BadRequest("body larger than " + maxBytes + " bytes");
        }
        if (bytes.length == 0) {
            throw new BadRequest("empty body");
        }
        try {
            return JsonSerialization.mapper.readTree(bytes);
        } catch (IOException e) {
            throw new BadRequest("malformed JSON");
        }
    }

    /** Echo of user input in messages: bounded and printable only. */
    public static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    public static final class BadRequest extends Exception {
        public BadRequest(String message) {
            super(message);
        }

        public Response response() {
            return badRequest(getMessage());
        }
    }
}
