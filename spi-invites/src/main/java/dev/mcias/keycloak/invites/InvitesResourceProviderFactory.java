package dev.mcias.keycloak.invites;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

import dev.mcias.keycloak.common.McIasApi;

/** Serves {@code /realms/{realm}/invites}. Option ({@code --spi-realm-restapi-extension--invites--admin-role}). */
public class InvitesResourceProviderFactory implements RealmResourceProviderFactory {

    public static final String ID = "invites";

    private String adminRole;

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new InvitesResourceProvider(session, adminRole);
    }

    @Override
    public void init(Config.Scope config) {
        adminRole = McIasApi.adminRole(config);
    }

    /**
     * Our rows follow Keycloak's life cycle, inside the removing transaction: a deleted realm takes its invites
     * with it, and a deleted app the invites that would land there.
     */
    @Override
    public void postInit(KeycloakSessionFactory factory) {
        factory.register(event -> {
            if (event instanceof RealmModel.RealmRemovedEvent removed) {
                new InviteStore(removed.getKeycloakSession()).deleteRealm(removed.getRealm().getId());
            } else if (event instanceof ClientModel.ClientRemovedEvent removed) {
                ClientModel client = removed.getClient();
                new InviteStore(removed.getKeycloakSession()).deleteClient(client.getRealm().getId(), client.getId());
            }
        });
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name("adminRole").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Realm role allowed to create, list and revoke invites.").defaultValue("admin").add()
                .build();
    }
}
