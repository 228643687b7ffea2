package dev.mcias.keycloak.audit;

import java.util.Set;

/**
 * Which records may be written by the group commit ({@link AuditBatcher}, after the request's transaction) and
 * which must stay inside the transaction that produced them. A record may leave its transaction only if that
 * transaction changes no state a record must vouch for, so that a crash between the two commits can at worst
 * leave an unanswered request without its record, never a change without one:
 * <ul>
 * <li>error events: Keycloak sends them in a transaction of their own (or the request's transaction is rolling
 * back), which writes nothing but the event;</li>
 * <li>the token-endpoint and read-only events in {@link #TOKEN_EVENTS}: their transactions write no credential,
 * user, client or realm state, only Keycloak's session bookkeeping (and the system-account last-used time), none
 * of which grants anything to a client that never got the answer; the answer waits for the batch.</li>
 * </ul>
 * Everything else (LOGIN, which may re-hash and store the password; credential and profile updates; every
 * admin event, including our modules') is written in its own transaction as before. An allow-list, not a
 * deny-list: a new Keycloak event type stays in its transaction until someone checks what it writes.
 */
final class GroupCommitRule {

    static final Set<String> TOKEN_EVENTS = Set.of("CLIENT_LOGIN", "CODE_TO_TOKEN", "REFRESH_TOKEN",
            "INTROSPECT_TOKEN", "USER_INFO_REQUEST");

    private GroupCommitRule() {
    }

    static boolean batched(AuditRecordEntity r) {
        if ("error".equals(r.getOutcome())) {
            return true;
        }
        return "USER".equals(r.getKind()) && TOKEN_EVENTS.contains(r.getType());
    }
}
