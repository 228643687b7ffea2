package dev.mcias.keycloak.common;

import org.keycloak.events.admin.OperationType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.services.resources.admin.AdminEventBuilder;

/**
 * Audit records of refused calls by an authenticated caller (403, and 404 for an account the caller may not
 * see or that does not exist). They are admin events with an error, so they land in the audit chain in the
 * request's transaction, which commits because the refusal is an answer, not an exception.
 *
 * <p>Calls without a valid token (401) are not recorded: nothing identifies their sender, and a durable,
 * chained write per anonymous request would let anyone grow the audit log at will. Keycloak's admin API makes
 * the same choice.
 */
public final class Refusals {

    private Refusals() {
    }

    /**
     * @param target the name from the request path; recorded only if {@code safeTarget} says it is a well-formed
     *               name (so a secret pasted into a URL is never stored)
     */
    public static void record(KeycloakSession session, Caller caller, String resourceType, String collection,
                              String target, boolean safeTarget, String action, String error) {
        String recorded = target == null ? null : safeTarget ? target : "(invalid name)";
        AdminEventBuilder event = new AdminEventBuilder(session.getContext().getRealm(), caller.adminAuth(), session,
                session.getContext().getConnection())
                .resource(resourceType).operation(OperationType.ACTION)
                .detail("action", action).detail("actor", caller.name());
        if (recorded != null) {
            event.resourcePath(collection, recorded).detail("account", recorded);
        } else {
            event.resourcePath(collection);
        }
        event.getEvent().setError(error);
        event.success();
    }
}
