package dev.mcias.keycloak.common;

import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.services.resources.admin.AdminAuth;

/**
 * Who is calling one of our REST resources, and what the token lets them do there.
 *
 * <p>The rule (docs/security-model.md, "Bearer tokens for the MCIAS APIs"):
 * <ol>
 *   <li>a valid access token of this realm (signature, expiry, token type, live session, not-before), as
 *       Keycloak's own bearer authenticator checks it;</li>
 *   <li>whose {@code aud} contains {@value McIasApi#AUDIENCE}: only clients given the {@code mcias-api} client
 *       scope can mint such tokens, so a token from an app's login cannot be replayed against these APIs;</li>
 *   <li>a role grants a right only if it is both <em>in the token</em> (so a client whose scope does not
 *       include the role cannot use it) and <em>held by the user now</em> (so removing a role takes effect at
 *       once, not when the token expires);</li>
 *   <li>a system account acts for itself only with a token it obtained itself ({@code azp} is the account).</li>
 * </ol>
 */
public final class Caller {

    private final RealmModel realm;
    private final UserModel user;
    private final AccessToken token;
    private final ClientModel client;

    private Caller(RealmModel realm, UserModel user, AccessToken token, ClientModel client) {
        this.realm = realm;
        this.user = user;
        this.token = token;
        this.client = client;
    }

    /** The caller, or null without a valid bearer token meant for the MCIAS APIs. */
    public static Caller fromBearer(KeycloakSession session) {
        AuthenticationManager.AuthResult auth = new AppAuthManager.BearerTokenAuthenticator(session)
                .setAudience(McIasApi.AUDIENCE).authenticate();
        if (auth == null || auth.user() == null || !auth.user().isEnabled() || auth.token() == null) {
            return null;
        }
        return new Caller(session.getContext().getRealm(), auth.user(), auth.token(), auth.client());
    }

    /** A system account authenticated by its own token (renewal), acting through its service-account user. */
    public static Caller systemAccount(RealmModel realm, ClientModel account, UserModel serviceAccountUser) {
        AccessToken self = new AccessToken();
        self.issuedFor(account.getClientId());
        return new Caller(realm, serviceAccountUser, self, account);
    }

    public UserModel user() {
        return user;
    }

    public String name() {
        return user.getUsername();
    }

    /** The client the token was issued to ({@code azp}). */
    public String clientId() {
        return token.getIssuedFor();
    }

    /** The realm role is in the token and the user still holds it. */
    public boolean hasRealmRole(String roleName) {
        if (roleName == null) {
            return false;
        }
        AccessToken.Access granted = token.getRealmAccess();
        if (granted == null || !granted.isUserInRole(roleName)) {
            return false;
        }
        RoleModel role = realm.getRole(roleName);
        return role != null && user.hasRole(role);
    }

    /** The client role is in the token and the user still holds it. */
    public boolean hasClientRole(String clientId, String roleName) {
        AccessToken.Access granted = token.getResourceAccess(clientId);
        if (granted == null || !granted.isUserInRole(roleName)) {
            return false;
        }
        ClientModel owner = realm.getClientByClientId(clientId);
        RoleModel role = owner == null ? null : owner.getRole(roleName);
        return role != null && user.hasRole(role);
    }

    /** The caller is {@code client}'s service-account user, with a token that client obtained itself. */
    public boolean isServiceAccountOf(ClientModel client) {
        return client != null && client.getId().equals(user.getServiceAccountClientLink())
                && client.getClientId().equals(token.getIssuedFor());
    }

    public AdminAuth adminAuth() {
        return new AdminAuth(realm, token, user, client);
    }

    /** The same caller as seen from another session (e.g. a transaction of its own) on {@code realmThere}. */
    public AdminAuth adminAuth(KeycloakSession other, RealmModel realmThere) {
        UserModel userThere = other.users().getUserById(realmThere, user.getId());
        ClientModel clientThere = client == null ? null : realmThere.getClientById(client.getId());
        return new AdminAuth(realmThere, token, userThere, clientThere);
    }
}
