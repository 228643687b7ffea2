package dev.mcias.keycloak.dbcredentials;

import org.keycloak.models.KeycloakSession;
import org.keycloak.services.resource.RealmResourceProvider;

public class DbCredentialsResourceProvider implements RealmResourceProvider {

    private final KeycloakSession session;

    public DbCredentialsResourceProvider(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public Object getResource() {
        return new DbCredentialsResource(session);
    }

    @Override
    public void close() {
    }
}
