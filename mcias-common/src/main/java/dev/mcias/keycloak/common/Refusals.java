package dev.mcias.keycloak.common;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.keycloak.common.ClientConnection;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.services.ErrorResponseException;
import org.keycloak.services.resources.admin.AdminEventBuilder;

/**
 * Audit records of refused calls by an authenticated caller (403, and 404 for an account the caller may not
 * see or that does not exist). They are admin events with an error, written in a transaction of their own:
 * a refusal usually ends the request with an exception ({@link #refuse}), and Keycloak rolls the request's
 * transaction back when one escapes a resource.
 *
 * <p>Calls without a valid token (401) are not recorded: nothing identifies their sender, and a durable,
 * chained write per anonymous request would let anyone grow the audit log at will. Keycloak's admin API makes
 * the same choice.
 */
public final class Refusals {

    private Refusals() {
    }

    /**
     * Records the refusal, then gives the exception that answers it with {@code answer}.
     *
     * @param target the name from the request path, or null; recorded only if {@code safeTarget} says it is a
     *               well-formed name (so a secret pasted into a URL is never stored)
     */
    public static WebApplicationException refuse(KeycloakSession session, Caller caller, Attempt attempt,
                                                 String target, boolean safeTarget, String error, Response answer) {
        record(session, caller, attempt.resourceType(), attempt.collection(), target, safeTarget, attempt.action(),
                error);
        return new ErrorResponseException(answer);
    }

    /**
     * Records the refusal in its own transaction (committed when this returns).
     *
     * @param target the name from the request path; recorded only if {@code safeTarget} says it is a well-formed
     *               name (so a secret pasted into a URL is never stored)
     */
    public static void record(KeycloakSession session, Caller caller, String resourceType, String collection,
                              String target, boolean safeTarget, String action, String error) {
        String recorded = target == null ? null : safeTarget ? target : "(invalid name)";
        String realmId = session.getContext().getRealm().getId();
        ClientConnection connection = session.getContext().getConnection();
        KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), own -> {
            RealmModel realm = own.realms().getRealm(realmId);
            own.getContext().setRealm(realm);
            AdminEventBuilder event = new AdminEventBuilder(realm, caller.adminAuth(own, realm), own, connection)
                    .resource(resourceType).operation(OperationType.ACTION)
                    .detail("action", action).detail("actor", caller.name());
            if (recorded != null) {
                event.resourcePath(collection, recorded).detail("account", recorded);
            } else {
                event.resourcePath(collection);
            }
            event.getEvent().setError(error);
            event.success();
        });
    }
}
