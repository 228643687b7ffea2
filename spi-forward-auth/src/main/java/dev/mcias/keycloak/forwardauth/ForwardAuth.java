package dev.mcias.keycloak.forwardauth;

/** Names shared by the resource, the snippets and the CLI. */
public final class ForwardAuth {

    /** Client attribute: the app's URL (scheme, host, optional path prefix); an app without it is not one. */
    public static final String URL_ATTRIBUTE = "mcias.forward-auth.url";
    /**
     * Client attribute: {@code true} sends the app an access token of its own ({@code Authorization: Bearer}) with
     * every admitted request, for apps that call APIs as the user.
     */
    public static final String TOKEN_ATTRIBUTE = "mcias.forward-auth.pass-token";
    /**
     * Client attribute: a parent domain of the app's host (e.g. {@code example.org}). Its apps share one cookie
     * ({@link #DOMAIN_COOKIE}, {@code Domain=} that domain): signed in at one, a member is admitted at the others
     * without a sign-in. Every host of the domain receives that cookie (the risk: docs/forward-auth.md).
     */
    public static final String COOKIE_DOMAIN_ATTRIBUTE = "mcias.forward-auth.cookie-domain";
    /** The cookie shared by the apps of one cookie domain ({@code __Secure-} on https). */
    public static final String DOMAIN_COOKIE = "mcias_fa_d";
    /** The path on the app's host that the proxy snippet routes to {@code /realms/{realm}/forward-auth/}. */
    public static final String ROUTE = "/_mcias/";
    /** Session cookie of an app (host-only, scoped to the app's prefix); {@code __Host-} on https. */
    public static final String COOKIE = "mcias_fa";
    /** The sign-in in progress: state, PKCE verifier and return URL, for ten minutes. */
    public static final String LOGIN_COOKIE = "mcias_fa_login";
    public static final int LOGIN_SECONDS = 600;
    /** Event detail {@code auth_method} of every forward-auth event (an allowed audit detail). */
    public static final String AUTH_METHOD = "forward-auth";
    /**
     * A user session's last-refresh time is written at most this often by checks (seconds): an active user keeps
     * their session alive without a write per request.
     */
    public static final int REFRESH_SECONDS = 60;

    /** The client-session note holding the nonce of the app cookie that session was signed in with. */
    public static final String NONCE_NOTE = "mcias.forward-auth.nonce";
    /** Names the app; set by the proxy's snippet on every request it sends here (overriding a client's own). */
    public static final String APP_HEADER = "X-Mcias-App";
    public static final String USER_HEADER = "Remote-User";
    public static final String EMAIL_HEADER = "Remote-Email";
    public static final String NAME_HEADER = "Remote-Name";
    public static final String GROUPS_HEADER = "Remote-Groups";

    private ForwardAuth() {
    }

    /** The cookie's name: {@code __Host-} prefixed on https, so no subdomain or plain-http page can set it. */
    public static String cookieName(String base, boolean https, boolean hostWide) {
        return https && hostWide ? "__Host-" + base : base;
    }
}
