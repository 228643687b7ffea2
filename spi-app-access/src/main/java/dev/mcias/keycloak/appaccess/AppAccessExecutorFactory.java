package dev.mcias.keycloak.appaccess;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProviderFactory;

public class AppAccessExecutorFactory implements ClientPolicyExecutorProviderFactory {

    public static final String ID = "mcias-app-access";

    @Override
    public AppAccessExecutor create(KeycloakSession session) {
        return new AppAccessExecutor(session);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "Members-only apps: refuses code-to-token, refresh, password, device, CIBA, token-exchange and userinfo"
                + " requests of users without the app's access role (client attribute mcias.members-only).";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
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
}
