package dev.mcias.keycloak.appaccess.apps;

import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.keycloak.models.ClientModel;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.services.util.ResolveRelative;

import dev.mcias.keycloak.appaccess.AppAccess;

/**
 * Which apps a user is shown on the apps page: the rule, in one place.
 *
 * <p>An app is listed when it is a browser app a person can open: an enabled OIDC client, not bearer-only, with the
 * standard (code) flow enabled and a home URL (base URL, resolved against the root URL) that is an absolute http(s)
 * URL; not a system account (those are machine identities); not one of Keycloak's own clients or the pack's
 * (account console, admin console, CLI clients, broker, realm management, this page's client); and, when it is
 * members only, only to a user holding its access role ({@link AppAccess#mayUse}). Service-account-only clients have
 * the standard flow off, so they are not listed either.
 */
public final class UserApps {

    /** The public client the apps page signs in with (shipped in realm-config/mcias-realm.json). */
    public static final String PAGE_CLIENT_ID = "mcias-apps";

    /** Keycloak's built-in clients and the pack's own; never an app of the user's. */
    static final Set<String> NOT_APPS = Set.of(Constants.ACCOUNT_MANAGEMENT_CLIENT_ID,
            Constants.ACCOUNT_CONSOLE_CLIENT_ID, Constants.ADMIN_CLI_CLIENT_ID, Constants.ADMIN_CONSOLE_CLIENT_ID,
            Constants.BROKER_SERVICE_CLIENT_ID, Constants.REALM_MANAGEMENT_CLIENT_ID, Constants.ADMIN_PERMISSIONS_CLIENT_ID,
            "mciasctl", PAGE_CLIENT_ID);
    /** spi-system-accounts marks its clients with this attribute and its own client authenticator. */
    static final String SYSTEM_ACCOUNT_ATTRIBUTE = "mcias.system_account";
    static final String SYSTEM_ACCOUNT_AUTHENTICATOR = "system-account-token";

    /**
     * One line of the page. A class with getters, not a record: FreeMarker resolves {@code app.name} to a record's
     * {@code name()} method, not to its value.
     */
    public static final class App {
        private final String clientId;
        private final String name;
        private final String description;
        private final String url;

        App(String clientId, String name, String description, String url) {
            this.clientId = clientId;
            this.name = name;
            this.description = description;
            this.url = url;
        }

        public String getClientId() {
            return clientId;
        }

        public String getName() {
            return name;
        }

        public String getDescription() {
            return description;
        }

        public String getUrl() {
            return url;
        }
    }

    private UserApps() {
    }

    /** The apps {@code user} may open, by name. */
    public static List<App> of(KeycloakSession session, RealmModel realm, UserModel user) {
        return realm.getClientsStream()
                .filter(UserApps::isApp)
                .filter(c -> AppAccess.mayUse(realm, c, user))
                .map(c -> {
                    String url = homeUrl(session, c);
                    return url == null ? null : new App(c.getClientId(), AppAccess.displayName(c),
                            blankToNull(c.getDescription()), url);
                })
                .filter(a -> a != null)
                .sorted(Comparator.comparing((App a) -> a.getName().toLowerCase(Locale.ROOT)).thenComparing(App::getClientId))
                .toList();
    }

    static boolean isApp(ClientModel c) {
        return c.isEnabled() && !c.isBearerOnly() && c.isStandardFlowEnabled()
                && (c.getProtocol() == null || OIDCLoginProtocol.LOGIN_PROTOCOL.equals(c.getProtocol()))
                && !NOT_APPS.contains(c.getClientId())
                && !"true".equalsIgnoreCase(c.getAttribute(SYSTEM_ACCOUNT_ATTRIBUTE))
                && !SYSTEM_ACCOUNT_AUTHENTICATOR.equals(c.getClientAuthenticatorType());
    }

    /** The app's home URL, or null when it has none a browser can open (relative, javascript:, data:, ...). */
    static String homeUrl(KeycloakSession session, ClientModel c) {
        String base = blankToNull(c.getBaseUrl());
        if (base == null) {
            return null;
        }
        return httpUrl(ResolveRelative.resolveRelativeUri(session, c.getRootUrl(), base));
    }

    /** {@code url} when it is an absolute http or https URL with a host, else null. */
    static String httpUrl(String url) {
        if (url == null) {
            return null;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null ? url : null;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
