package dev.mcias.keycloak.systemaccounts;

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
 * Who is calling one of our REST resources: the user (or service account) behind a valid bearer token of this
 * realm. Role checks use the user model, not the token's claims, so a removed role takes effect at once.
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

    /** The caller, or null without a valid bearer token. */
    public static Caller fromBearer(KeycloakSession session) {
        AuthenticationManager.AuthResult auth = new AppAuthManager.BearerTokenAuthenticator(session).authenticate();
        if (auth == null || auth.user() == null || !auth.user().isEnabled()) {
            return null;
        }
        return new Caller(session.getContext().getRealm(), auth.user(), auth.token(), auth.client());
    }

    /** A system account authenticated by its own token (renewal), acting through its service-account user. */
    public static Caller systemAccount(RealmModel realm, ClientModel account, UserModel serviceAccountUser) {
        return new Caller(realm, serviceAccountUser, new AccessToken(), account);
    }

    public UserModel user() {
        return user;
    }

    public String name() {
        return user.getUsername();
    }

    public boolean hasRealmRole(String roleName) {
        RoleModel role = roleName == null ? null : realm.getRole(roleName);
        return role != null && user.hasRole(role);
    }

    /** Whether the caller is the service-account user of {@code account} (i.e. the account itself). */
    public boolean isAccount(ClientModel account) {
        return SystemAccounts.isServiceAccountOf(user, account);
    }

    /** Admin, holder of the account's role, or the account itself. */
    public boolean maySee(ClientModel account, String adminRole) {
        return hasRealmRole(adminRole) || hasRealmRole(account.getClientId()) || isAccount(account);
    }

    /** The system account {@code name} if this caller may see it; null for unknown and forbidden alike. */
    public ClientModel visibleAccount(String name, String adminRole) {
        ClientModel account = SystemAccounts.find(realm, name);
        return account != null && maySee(account, adminRole) ? account : null;
    }

    public AdminAuth adminAuth() {
        return new AdminAuth(realm, token, user, client);
    }
}
