package dev.mcias.keycloak.systemaccounts;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/** Serves {@code /realms/{realm}/system-accounts}. */
public class SystemAccountsResourceProviderFactory implements RealmResourceProviderFactory {

    public static final String ID = "system-accounts";

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new SystemAccountsResourceProvider(session);
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return ID;
    }
}
