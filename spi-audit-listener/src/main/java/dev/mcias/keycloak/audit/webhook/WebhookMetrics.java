package dev.mcias.keycloak.audit.webhook;

import io.micrometer.core.instrument.Metrics;

/**
 * Counter {@code mcias_audit_webhook_deliveries_total{outcome}} in Keycloak's {@code /metrics} (with
 * {@code --metrics-enabled=true}): {@code delivered}, {@code retried} (a failed attempt that will be retried),
 * {@code failed} (given up) and {@code refused} (destination not allowed: failed at once; see
 * {@link WebhookDestinations}). Per node, since its start; the database's view is the deliveries endpoint.
 */
final class WebhookMetrics {

    private WebhookMetrics() {
    }

    static void count(String outcome) {
        try {
            Metrics.counter("mcias.audit.webhook.deliveries", "outcome", outcome).increment();
        } catch (LinkageError e) {
            // Micrometer is part of every Keycloak distribution; without it there is just no metric.
        }
    }
}
