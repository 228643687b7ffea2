package dev.mcias.keycloak.common;

import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** JSON error answers of the MCIAS REST resources: {@code {"error": ..., "error_description": ...}}. */
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
                .entity(Map.of("error", "unauthorized", "error_description",
                        "a valid bearer token for audience " + McIasApi.AUDIENCE + " is required"))
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

    /** A request the resource refuses as malformed; {@link #response()} is the 400. */
    public static final class BadRequest extends Exception {
        public BadRequest(String message) {
            super(message);
        }

        public Response response() {
            return badRequest(getMessage());
        }
    }
}
