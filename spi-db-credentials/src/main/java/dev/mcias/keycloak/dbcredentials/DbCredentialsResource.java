package dev.mcias.keycloak.dbcredentials;

import org.keycloak.models.KeycloakSession;

/** JAX-RS resource; endpoints arrive with the module's issue. */
public class DbCredentialsResource {

    private final KeycloakSession session;

    public DbCredentialsResource(KeycloakSession session) {
        this.session = session;
    }
}
