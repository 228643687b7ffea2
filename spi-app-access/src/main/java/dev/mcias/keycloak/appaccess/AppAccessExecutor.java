package dev.mcias.keycloak.appaccess;

import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.core.Response;

import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.TokenExchangeContext;
import org.keycloak.protocol.oidc.TokenManager.AccessTokenResponseBuilder;
import org.keycloak.protocol.oidc.grants.ciba.clientpolicy.context.BackchannelTokenResponseContext;
import org.keycloak.protocol.oidc.grants.device.clientpolicy.context.DeviceTokenRequestContext;
import org.keycloak.protocol.oidc.grants.device.clientpolicy.context.DeviceTokenResponseContext;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.idm.ClientPolicyExecutorConfigurationRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.context.ImplicitHybridTokenResponse;
import org.keycloak.services.clientpolicy.context.ResourceOwnerPasswordCredentialsResponseContext;
import org.keycloak.services.clientpolicy.context.ServiceAccountTokenResponseContext;
import org.keycloak.services.clientpolicy.context.TokenExchangeRequestContext;
import org.keycloak.services.clientpolicy.context.TokenIntrospectContext;
import org.keycloak.services.clientpolicy.context.TokenRefreshResponseContext;
import org.keycloak.services.clientpolicy.context.TokenRequestContext;
import org.keycloak.services.clientpolicy.context.TokenResponseContext;
import org.keycloak.services.clientpolicy.context.UserInfoRequestContext;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;

/**
 * The second line: a client-policy executor that checks the same rule wherever Keycloak issues (or serves) user
 * tokens for a client, whatever authentication flow produced the session. It catches what the flow step cannot:
 * a refresh after the access role was taken away, a client with a browser-flow override, a login through an
 * identity provider (first-broker-login flow), a code minted before the app became members-only, a token
 * exchange. Refusal: {@code 400 access_denied} (Keycloak turns it into {@code invalid_grant} for a code
 * redemption) with a fixed description; Keycloak records the event
 * ({@code CODE_TO_TOKEN_ERROR}, {@code REFRESH_TOKEN_ERROR}, ... with error {@code access_denied},
 * {@code reason=client_policy_error}) and issues nothing.
 *
 * <p>Where the request event carries no verified user (refresh, password grant), the matching response event is
 * used: it comes after Keycloak validated the grant and before the response is built, so nothing leaves.
 */
public class AppAccessExecutor implements ClientPolicyExecutorProvider<ClientPolicyExecutorConfigurationRepresentation> {

    private final KeycloakSession session;

    AppAccessExecutor(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public String getProviderId() {
        return AppAccessExecutorFactory.ID;
    }

    @Override
    public void executeOnEvent(ClientPolicyContext context) throws ClientPolicyException {
        switch (context.getEvent()) {
            case TOKEN_REQUEST -> check(((TokenRequestContext) context).getClientSession());
            case TOKEN_RESPONSE -> {
                TokenResponseContext c = (TokenResponseContext) context;
                issue(c.getClientSession(), c.getAccessTokenResponseBuilder());
            }
            case TOKEN_REFRESH_RESPONSE -> {
                TokenRefreshResponseContext c = (TokenRefreshResponseContext) context;
                issue(c.getClientSession(), c.getAccessTokenResponseBuilder());
            }
            case RESOURCE_OWNER_PASSWORD_CREDENTIALS_RESPONSE -> {
                ResourceOwnerPasswordCredentialsResponseContext c = (ResourceOwnerPasswordCredentialsResponseContext) context;
                issue(c.getClientSessionContext(), c.getAccessTokenResponseBuilder());
            }
            case DEVICE_TOKEN_REQUEST -> checkDeviceRequest((DeviceTokenRequestContext) context);
            case DEVICE_TOKEN_RESPONSE -> {
                DeviceTokenResponseContext c = (DeviceTokenResponseContext) context;
                issue(c.getClientSession(), c.getAccessTokenResponseBuilder());
            }
            case BACKCHANNEL_TOKEN_RESPONSE -> {
                BackchannelTokenResponseContext c = (BackchannelTokenResponseContext) context;
                issue(c.getClientSessionContext(), c.getAccessTokenResponseBuilder());
            }
            case SERVICE_ACCOUNT_TOKEN_RESPONSE -> {
                // Not checked (the client's own identity), but its token must not name a members-only app either.
                ServiceAccountTokenResponseContext c = (ServiceAccountTokenResponseContext) context;
                dropForeignApps(c.getClientSession(), c.getAccessTokenResponseBuilder());
            }
            case IMPLICIT_HYBRID_TOKEN_RESPONSE -> check(((ImplicitHybridTokenResponse) context).getClientSessionContext());
            case USERINFO_REQUEST -> {
                // Keycloak's userinfo endpoint answers only RFC 6750 errors (anything else is a 500): the access
                // token, issued before the role was taken away, is no longer honoured.
                try {
                    check(((UserInfoRequestContext) context).getClientSession());
                } catch (ClientPolicyException e) {
                    throw new ClientPolicyException("invalid_token", AppAccess.OAUTH_DESCRIPTION,
                            Response.Status.UNAUTHORIZED);
                }
            }
            case TOKEN_INTROSPECT -> introspect((TokenIntrospectContext) context);
            case TOKEN_EXCHANGE_REQUEST -> checkTokenExchange(((TokenExchangeRequestContext) context).getTokenExchangeContext());
            default -> {
                // Other events issue no user token.
            }
        }
    }

    /** A response about to be built: refused for a non-member, else without members-only apps the user may not use. */
    private void issue(ClientSessionContext clientSessionContext, AccessTokenResponseBuilder response)
            throws ClientPolicyException {
        if (clientSessionContext != null) {
            issue(clientSessionContext.getClientSession(), response);
        }
    }

    private void issue(AuthenticatedClientSessionModel clientSession, AccessTokenResponseBuilder response)
            throws ClientPolicyException {
        check(clientSession);
        dropForeignApps(clientSession, response);
    }

    private void dropForeignApps(AuthenticatedClientSessionModel clientSession, AccessTokenResponseBuilder response) {
        if (clientSession == null || clientSession.getUserSession() == null || response == null
                || response.getAccessToken() == null) {
            return;
        }
        AppAccess.dropAppsNotAllowed(session.getContext().getRealm(), clientSession.getUserSession().getUser(),
                response.getAccessToken());
    }

    /**
     * Introspection by a members-only app of a token whose user may not use it: Keycloak's endpoint introspects the
     * {@code token} parameter as this event leaves it, so an empty one makes the answer {@code {"active":false}},
     * the same answer as for any token that is not valid (a refusal would tell the app more).
     */
    private void introspect(TokenIntrospectContext context) {
        ClientModel client = context.getClient();
        RealmModel realm = session.getContext().getRealm();
        if (!AppAccess.isMembersOnly(client) || context.getParams() == null) {
            return;
        }
        String token = context.getParams().getFirst("token");
        AccessToken decoded;
        try {
            decoded = token == null ? null : session.tokens().decode(token, AccessToken.class);
        } catch (RuntimeException e) {
            decoded = null;
        }
        if (decoded == null || decoded.getSubject() == null) {
            return; // not a valid token of this realm: Keycloak answers inactive itself
        }
        UserModel user = session.users().getUserById(realm, decoded.getSubject());
        if (user != null && !AppAccess.mayUse(realm, client, user)) {
            context.getParams().putSingle("token", "");
        }
    }

    private void check(ClientSessionContext clientSessionContext) throws ClientPolicyException {
        if (clientSessionContext != null) {
            check(clientSessionContext.getClientSession());
        }
    }

    private void check(AuthenticatedClientSessionModel clientSession) throws ClientPolicyException {
        if (clientSession == null) {
            return; // Keycloak refuses a grant without a session on its own
        }
        UserSessionModel userSession = clientSession.getUserSession();
        check(clientSession.getClient(), userSession == null ? null : userSession.getUser());
    }

    private void checkDeviceRequest(DeviceTokenRequestContext context) throws ClientPolicyException {
        String userSessionId = context.getDeviceCodeModel() == null ? null : context.getDeviceCodeModel().getUserSessionId();
        if (userSessionId == null) {
            return; // not approved yet: Keycloak answers authorization_pending / access_denied itself
        }
        RealmModel realm = session.getContext().getRealm();
        ClientModel client = realm.getClientByClientId(context.getDeviceCodeModel().getClientId());
        UserSessionModel userSession = session.sessions().getUserSession(realm, userSessionId);
        if (userSession != null) {
            check(client, userSession.getUser());
        }
        // no session: Keycloak refuses the grant itself; DEVICE_TOKEN_RESPONSE checks again if it ever issues
    }

    private void checkTokenExchange(TokenExchangeContext exchange) throws ClientPolicyException {
        String subjectToken = exchange.getParams().getSubjectToken();
        if (subjectToken == null) {
            return;
        }
        AccessToken token;
        try {
            token = session.tokens().decode(subjectToken, AccessToken.class);
        } catch (RuntimeException e) {
            token = null;
        }
        if (token == null || token.getSubject() == null) {
            return; // not one of our valid tokens: Keycloak refuses the exchange itself
        }
        RealmModel realm = exchange.getRealm();
        UserModel user = session.users().getUserById(realm, token.getSubject());
        if (user == null) {
            return;
        }
        // The token goes to the requesting client and is meant for each requested audience: all must admit the user.
        List<ClientModel> clients = new ArrayList<>();
        clients.add(exchange.getClient());
        List<String> audiences = exchange.getParams().getAudience();
        if (audiences != null) {
            for (String audience : audiences) {
                ClientModel target = realm.getClientByClientId(audience);
                if (target != null) {
                    clients.add(target);
                }
            }
        }
        for (ClientModel client : clients) {
            check(client, user);
        }
    }

    private void check(ClientModel client, UserModel user) throws ClientPolicyException {
        RealmModel realm = session.getContext().getRealm();
        if (client == null || realm == null || user == null && !AppAccess.isMembersOnly(client)) {
            return;
        }
        if (user != null && user.getServiceAccountClientLink() != null) {
            return; // a service account acts as its own client, it is not a person using an app
        }
        if (!AppAccess.mayUse(realm, client, user)) {
            throw new ClientPolicyException(AppAccess.OAUTH_ERROR, AppAccess.OAUTH_DESCRIPTION, Response.Status.BAD_REQUEST);
        }
    }
}
