package dev.mcias.keycloak.audit.checkpoint;

import org.keycloak.models.KeycloakSession;
import org.keycloak.timer.ScheduledTask;

/**
 * The periodic checkpoint pass. Run through Keycloak's ClusterAwareScheduledTaskRunner, whose cluster lock is keyed
 * by this class's simple name (hence the specific name): one node of a cluster runs it at a time.
 */
final class AuditCheckpointTask implements ScheduledTask {

    private final Checkpointer checkpointer;

    AuditCheckpointTask(Checkpointer checkpointer) {
        this.checkpointer = checkpointer;
    }

    @Override
    public void run(KeycloakSession session) {
        checkpointer.runAll(session);
    }

    @Override
    public String getTaskName() {
        return Checkpointer.TASK_NAME;
    }
}
