package dev.mcias.keycloak.systemaccounts;

import org.keycloak.models.KeycloakSession;
import org.keycloak.services.resource.RealmResourceProvider;

public class SystemAccountsResourceProvider implements RealmResourceProvider {

    private final KeycloakSession session;
    private final String adminRole;
    private final long defaultTtlSeconds;

    public SystemAccountsResourceProvider(KeycloakSession session, String adminRole, long defaultTtlSeconds) {
        this.session = session;
        this.adminRole = adminRole;
        this.defaultTtlSeconds = defaultTtlSeconds;
    }

    @Override
    public Object getResource() {
        return new SystemAccountsResource(session, adminRole, defaultTtlSeconds);
    }

    @Override
    public void close() {
    }
}
