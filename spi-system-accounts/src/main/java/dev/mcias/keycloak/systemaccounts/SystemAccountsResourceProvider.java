package dev.mcias.keycloak.systemaccounts;

import org.keycloak.models.KeycloakSession;
import org.keycloak.services.resource.RealmResourceProvider;

public class SystemAccountsResourceProvider implements RealmResourceProvider {

    private final KeycloakSession session;

    public SystemAccountsResourceProvider(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public Object getResource() {
        return new SystemAccountsResource(session);
    }

    @Override
    public void close() {
    }
}
