package dev.mcias.keycloak.appaccess;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Predicate;

import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.AccessToken;

/**
 * The rule, in one place: a client whose attribute {@code mcias.members-only} is {@code true} issues tokens only to
 * users holding its access role (realm role named by {@code mcias.access-role}, else {@code app:<clientId>}),
 * directly, through a composite role or through a group. Everything else (no attribute, any other value) is open,
 * as Keycloak is by default.
 */
public final class AppAccess {

    public static final String MEMBERS_ONLY_ATTRIBUTE = "mcias.members-only";
    public static final String ACCESS_ROLE_ATTRIBUTE = "mcias.access-role";
    /** Optional free text on the refusal page: whom to ask ("Alice, alice@example.org"). */
    public static final String CONTACT_ATTRIBUTE = "mcias.access-contact";
    public static final String DEFAULT_ROLE_PREFIX = "app:";

    /** Event error of every refusal by the authenticators; the client-policy path records {@link #OAUTH_ERROR}. */
    public static final String EVENT_ERROR = "app_access_denied";
    /** OAuth error answered by the token endpoint (RFC 8628 uses it for a refused device grant too). */
    public static final String OAUTH_ERROR = "access_denied";
    /** error_description: fixed text, says neither who asked nor which role is missing. */
    public static final String OAUTH_DESCRIPTION =
            "app_access_denied: this app is for its members only; ask its administrator for access";

    private static final Logger LOG = Logger.getLogger(AppAccess.class);

    private AppAccess() {
    }

    public static boolean isMembersOnly(ClientModel client) {
        return client != null && "true".equalsIgnoreCase(trim(client.getAttribute(MEMBERS_ONLY_ATTRIBUTE)));
    }

    /** The name of the client's access role (it may not exist). */
    public static String accessRoleName(ClientModel client) {
        String configured = trim(client.getAttribute(ACCESS_ROLE_ATTRIBUTE));
        return configured == null || configured.isEmpty() ? DEFAULT_ROLE_PREFIX + client.getClientId() : configured;
    }

    /**
     * Whether {@code user} may get tokens for {@code client}. A members-only client whose role does not exist
     * admits nobody (fail closed: a typo in the attribute must not open the app to everyone).
     */
    public static boolean mayUse(RealmModel realm, ClientModel client, UserModel user) {
        if (!isMembersOnly(client)) {
            return true;
        }
        if (user == null) {
            return false;
        }
        RoleModel role = realm.getRole(accessRoleName(client));
        if (role == null) {
            LOG.warnf("members-only client %s names access role %s, which does not exist in realm %s: nobody is let in",
                    client.getClientId(), accessRoleName(client), realm.getName());
            return false;
        }
        return user.hasRole(role);
    }

    /**
     * Removes from an access token about to be issued every members-only app {@code user} may not use, from
     * {@code aud} and from {@code resource_access}: a mapper of another client (Keycloak's audience mapper, say)
     * must not make a token that an API of a members-only app accepts for a non-member.
     */
    public static void dropAppsNotAllowed(RealmModel realm, UserModel user, AccessToken token) {
        if (realm == null || token == null) {
            return;
        }
        Predicate<String> notAllowed = clientId -> {
            ClientModel app = realm.getClientByClientId(clientId);
            return app != null && isMembersOnly(app) && !mayUse(realm, app, user);
        };
        String[] audience = token.getAudience();
        if (audience != null && Arrays.stream(audience).anyMatch(notAllowed)) {
            String[] kept = Arrays.stream(audience).filter(notAllowed.negate()).toArray(String[]::new);
            token.audience(kept.length == 0 ? null : kept);
        }
        Map<String, AccessToken.Access> resourceAccess = token.getResourceAccess();
        if (resourceAccess != null) {
            resourceAccess.keySet().removeIf(notAllowed);
        }
    }

    /** Name shown to the user: the client's display name unless it is a message key, else its client id. */
    public static String displayName(ClientModel client) {
        String name = trim(client.getName());
        return name == null || name.isEmpty() || name.startsWith("${") ? client.getClientId() : name;
    }

    public static String contact(ClientModel client) {
        String contact = trim(client.getAttribute(CONTACT_ATTRIBUTE));
        return contact == null || contact.isEmpty() ? null : contact;
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }
}
