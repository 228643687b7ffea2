package dev.mcias.keycloak.common;

import org.keycloak.models.KeycloakSession;
import org.keycloak.services.ErrorResponseException;

/**
 * Access checks that end the request when they fail, so each resource method starts with one line. A failed
 * check throws an {@link ErrorResponseException} carrying the exact {@link Errors} answer; a refusal of an
 * authenticated caller is audited first, in its own transaction ({@link Refusals}), because the request's
 * transaction rolls back when the exception leaves the resource.
 */
public final class Access {

    private Access() {
    }

    /** The caller of an MCIAS REST API, or a 401 without a valid bearer token for {@value McIasApi#AUDIENCE}. */
    public static Caller caller(KeycloakSession session) {
        Caller caller = Caller.fromBearer(session);
        if (caller == null) {
            throw new ErrorResponseException(Errors.unauthorized());
        }
        return caller;
    }

    /** The caller if the realm role is in the token and still held; else 401, or an audited 403. */
    public static Caller realmRole(KeycloakSession session, String role, Attempt attempt) {
        Caller caller = caller(session);
        if (!caller.hasRealmRole(role)) {
            throw Refusals.refuse(session, caller, attempt, null, false, "forbidden", Errors.forbidden());
        }
        return caller;
    }
}
