package dev.mcias.keycloak.invites;

import org.keycloak.models.KeycloakSession;
import org.keycloak.services.resource.RealmResourceProvider;

public class InvitesResourceProvider implements RealmResourceProvider {

    private final KeycloakSession session;
    private final String adminRole;

    public InvitesResourceProvider(KeycloakSession session, String adminRole) {
        this.session = session;
        this.adminRole = adminRole;
    }

    @Override
    public Object getResource() {
        return new InvitesResource(session, adminRole);
    }

    @Override
    public void close() {
    }
}
