package dev.mcias.keycloak.audit.webhook;

import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.core.Response;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import dev.mcias.keycloak.common.Errors;

/**
 * {@code GET /realms/{realm}/audit/webhooks/deliveries?status&limit}: the realm's newest outbox rows and the count
 * per status. The caller's access is checked by the audit resource before this runs. Endpoints are shown by origin
 * only (a URL's path or query may carry a token); payloads are not repeated (they are the audit records).
 */
public final class WebhookDeliveries {

    static final int MAX_LIMIT = 500;
    private static final Set<String> STATUSES = Set.of(WebhookOutboxEntity.PENDING, WebhookOutboxEntity.DELIVERED,
            WebhookOutboxEntity.FAILED);

    private WebhookDeliveries() {
    }

    record Deliveries(boolean enabled, Map<String, Long> counts, List<WebhookOutbox.Delivery> deliveries) {
    }

    public static Response list(KeycloakSession session, RealmModel realm, String status, String limit) {
        int n;
        try {
            if (status != null && !STATUSES.contains(status)) {
                throw new Errors.BadRequest("status must be pending, delivered or failed");
            }
            n = limit == null ? 100 : parseLimit(limit);
        } catch (Errors.BadRequest e) {
            return e.response();
        }
        WebhookOutbox outbox = new WebhookOutbox(session);
        List<WebhookOutbox.Delivery> rows = outbox.list(realm.getId(), status, n);
        Deliveries body = new Deliveries(WebhookRealmConfig.of(realm).on(), outbox.counts(realm.getId()), rows);
        return Response.ok(body).header("Cache-Control", "no-store").build();
    }

    private static int parseLimit(String s) throws Errors.BadRequest {
        int n;
        try {
            n = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new Errors.BadRequest("limit must be a number");
        }
        if (n < 1 || n > MAX_LIMIT) {
            throw new Errors.BadRequest("limit must be between 1 and " + MAX_LIMIT);
        }
        return n;
    }
}
