package dev.mcias.keycloak.audit.webhook;

import org.keycloak.models.KeycloakSession;
import org.keycloak.timer.ScheduledTask;

/**
 * Finds pending deliveries nobody works on (left by a restart, a {@code kill -9}, a dead node or a full queue) and
 * purges old rows. Run through Keycloak's ClusterAwareScheduledTaskRunner, whose cluster lock is keyed by this
 * class's simple name: one node per interval. The row claims, not this lock, are what make each attempt single.
 */
final class AuditWebhookPoller implements ScheduledTask {

    static final String TASK_NAME = "mcias-audit-webhook-poller";

    private final WebhookDispatcher dispatcher;

    AuditWebhookPoller(WebhookDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public void run(KeycloakSession session) {
        dispatcher.poll(session);
    }

    @Override
    public String getTaskName() {
        return TASK_NAME;
    }
}
