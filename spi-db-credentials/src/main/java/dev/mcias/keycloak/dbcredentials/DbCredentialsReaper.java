package dev.mcias.keycloak.dbcredentials;

import org.keycloak.models.KeycloakSession;
import org.keycloak.timer.ScheduledTask;

/**
 * Drops expired and revoked roles this module created (listed in MCIAS_DB_DYNAMIC_ROLE), also those from before a
 * restart. Run through Keycloak's ClusterAwareScheduledTaskRunner, so one node of a cluster runs it at a time
 * (the runner's cluster lock is keyed by this class's simple name, hence the specific name).
 */
final class DbCredentialsReaper implements ScheduledTask {

    static final String TASK_NAME = "mcias-db-credentials-reaper";

    private final DbCredentialsResourceProviderFactory config;
    private final long intervalMillis;

    DbCredentialsReaper(DbCredentialsResourceProviderFactory config, long intervalMillis) {
        this.config = config;
        this.intervalMillis = intervalMillis;
    }

    @Override
    public void run(KeycloakSession session) {
        new DbCredentialService(session, config).reap(System.currentTimeMillis(), intervalMillis);
    }

    @Override
    public String getTaskName() {
        return TASK_NAME;
    }
}
