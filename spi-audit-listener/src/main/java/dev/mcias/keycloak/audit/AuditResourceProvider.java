package dev.mcias.keycloak.audit;

import org.keycloak.models.KeycloakSession;
import org.keycloak.services.resource.RealmResourceProvider;

public class AuditResourceProvider implements RealmResourceProvider {

    private final KeycloakSession session;
    private final String adminRole;
    private final int retentionDays;

    public AuditResourceProvider(KeycloakSession session, String adminRole, int retentionDays) {
        this.session = session;
        this.adminRole = adminRole;
        this.retentionDays = retentionDays;
    }

    @Override
    public Object getResource() {
        return new AuditResource(session, adminRole, retentionDays);
    }

    @Override
    public void close() {
    }
}
