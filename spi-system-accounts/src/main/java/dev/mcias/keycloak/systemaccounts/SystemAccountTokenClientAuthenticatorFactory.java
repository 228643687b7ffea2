package dev.mcias.keycloak.systemaccounts;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.keycloak.OAuth2Constants;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.ClientAuthenticationFlowContext;
import org.keycloak.authentication.authenticators.client.AbstractClientAuthenticator;
import org.keycloak.authentication.authenticators.client.ClientAuthUtil;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.ProviderConfigProperty;

import dev.mcias.keycloak.common.OpaqueToken;

/**
 * Client authentication of system accounts: {@code client_id} is the account, {@code client_secret} its
 * current token (HTTP Basic or form). Runs in the realm's client authentication flow next to Keycloak's own
 * authenticators; Keycloak only acts on its result for clients whose authenticator type is ours.
 */
public class SystemAccountTokenClientAuthenticatorFactory extends AbstractClientAuthenticator {

    public static final String ID = "system-account-token";

    @Override
    public void authenticateClient(ClientAuthenticationFlowContext context) {
        PresentedCredentials p = PresentedCredentials.from(context.getHttpRequest());
        if (p.clientId() == null) {
            context.challenge(ClientAuthUtil.errorResponse(400, "invalid_client", "Missing client_id parameter"));
            return;
        }
        context.getEvent().client(p.clientId());
        ClientModel client = context.getRealm().getClientByClientId(p.clientId());
        if (client == null) {
            context.failure(AuthenticationFlowError.CLIENT_NOT_FOUND, null);
            return;
        }
        context.setClient(client);
        if (!ID.equals(client.getClientAuthenticatorType())) {
            return; // another authenticator's client: Keycloak ignores our result
        }
        context.getEvent().detail("system_account", client.getClientId());
        if (!client.isEnabled()) {
            context.failure(AuthenticationFlowError.CLIENT_DISABLED, null);
            return;
        }
        SystemAccountTokenStore.Check check = p.secret() == null ? SystemAccountTokenStore.Check.WRONG_TOKEN
                : new SystemAccountTokenStore(context.getSession()).verify(context.getRealm(), client, p.secret());
        if (check == SystemAccountTokenStore.Check.VALID) {
            context.getEvent().detail("token_fingerprint", OpaqueToken.SYSTEM_ACCOUNT.fingerprint(p.secret()));
            context.success();
            return;
        }
        if (OpaqueToken.SYSTEM_ACCOUNT.wellFormed(p.secret())) {
            context.getEvent().detail("token_fingerprint", OpaqueToken.SYSTEM_ACCOUNT.fingerprint(p.secret()));
        }
        context.getEvent().detail("reason", check.name().toLowerCase());
        // Exactly what Keycloak answers for a client id it does not know, so the answer does not tell whether the
        // account exists.
        context.failure(AuthenticationFlowError.INVALID_CLIENT_CREDENTIALS, ClientAuthUtil.errorResponse(401,
                "invalid_client", "Invalid client or Invalid client credentials"));
    }

    @Override
    public String getDisplayType() {
        return "System account token";
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
    public String getHelpText() {
        return "Validates the system account's single opaque token sent as client_secret (MCIAS).";
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

    /**
     * None advertised: on the wire this is client_secret_basic/post, which Keycloak's client-secret authenticator
     * already advertises, and claiming them here could make dynamic client registration pick this authenticator.
     */
    @Override
    public Set<String> getProtocolAuthenticatorMethods(String loginProtocol) {
        return Set.of();
    }

    @Override
    public String getId() {
        return ID;
    }
}
