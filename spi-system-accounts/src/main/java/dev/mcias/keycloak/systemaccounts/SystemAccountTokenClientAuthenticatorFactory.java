package dev.mcias.keycloak.systemaccounts;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.keycloak.Config;
import org.keycloak.OAuth2Constants;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.ClientAuthenticationFlowContext;
import org.keycloak.authentication.ClientAuthenticator;
import org.keycloak.authentication.ClientAuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.provider.ProviderConfigProperty;

/** Client authentication of system accounts by their single opaque token. */
public class SystemAccountTokenClientAuthenticatorFactory implements ClientAuthenticatorFactory, ClientAuthenticator {

    public static final String ID = "system-account-token";

    @Override
    public void authenticateClient(ClientAuthenticationFlowContext context) {
        context.failure(AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, null);
    }

    @Override
    public ClientAuthenticator create() {
        return this;
    }

    @Override
    public ClientAuthenticator create(KeycloakSession session) {
        return this;
    }

    @Override
    public String getDisplayType() {
        return "System account token";
    }

    @Override
    public String getReferenceCategory() {
        return OAuth2Constants.CLIENT_SECRET;
    }

    @Override
    public boolean isConfigurable() {
        return false;
    }

    @Override
    public AuthenticationExecutionModel.Requirement[] getRequirementChoices() {
        return REQUIREMENT_CHOICES;
    }

    @Override
    public boolean isUserSetupAllowed() {
        return false;
    }

    @Override
    public String getHelpText() {
        return "Validates the system account's single opaque token sent as client_secret.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }

    @Override
    public List<ProviderConfigProperty> getConfigPropertiesPerClient() {
        return List.of();
    }

    @Override
    public Map<String, Object> getAdapterConfiguration(KeycloakSession session, ClientModel client) {
        return Map.of();
    }

    @Override
    public Set<String> getProtocolAuthenticatorMethods(String loginProtocol) {
        return OIDCLoginProtocol.LOGIN_PROTOCOL.equals(loginProtocol)
                ? Set.of(OIDCLoginProtocol.CLIENT_SECRET_BASIC, OIDCLoginProtocol.CLIENT_SECRET_POST)
                : Set.of();
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
