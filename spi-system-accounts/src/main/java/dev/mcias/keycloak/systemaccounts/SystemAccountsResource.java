package dev.mcias.keycloak.systemaccounts;

import org.keycloak.models.KeycloakSession;

/** JAX-RS resource; endpoints arrive with the module's issue. */
public class SystemAccountsResource {

    private final KeycloakSession session;

    public SystemAccountsResource(KeycloakSession session) {
        this.session = session;
    }
}
