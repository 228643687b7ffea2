package dev.mcias.keycloak.forwardauth;

import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;

/**
 * A client registered for forward-auth: the URL it lives at, the names of its identity headers, whether it is
 * sent an access token ({@link ForwardAuth#TOKEN_ATTRIBUTE}) and the parent domain whose cookie it shares with the
 * other apps of that domain ({@link ForwardAuth#COOKIE_DOMAIN_ATTRIBUTE}; null: a host-only cookie of its own).
 */
record App(ClientModel client, AppUrl url, IdentityHeaders headers, boolean passToken, String cookieDomain) {

    private static final java.util.regex.Pattern DOMAIN = java.util.regex.Pattern.compile(
            "([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?");

    /**
     * The client's app, or null when the client is disabled or its forward-auth URL, header names or cookie domain
     * are not valid (the app then admits nobody).
     */
    static App of(ClientModel client) {
        AppUrl url = client.isEnabled() ? AppUrl.parse(client.getAttribute(ForwardAuth.URL_ATTRIBUTE)) : null;
        IdentityHeaders headers = url == null ? null : IdentityHeaders.of(client);
        String domain = client.getAttribute(ForwardAuth.COOKIE_DOMAIN_ATTRIBUTE);
        if (headers == null || (domain != null && !domain.isEmpty() && !parentDomain(domain, url))) {
            return null;
        }
        return new App(client, url, headers, "true".equals(client.getAttribute(ForwardAuth.TOKEN_ATTRIBUTE)),
                domain == null || domain.isEmpty() ? null : domain);
    }

    /** A domain name of two labels or more (not an IP address) that the app's host is in. */
    static boolean parentDomain(String domain, AppUrl url) {
        String host = url.authority().replaceFirst(":[0-9]+$", "");
        return DOMAIN.matcher(domain).matches() && (host.equals(domain) || host.endsWith("." + domain));
    }

    /**
     * The app the proxy's snippet names ({@link ForwardAuth#APP_HEADER}, set by the proxy's configuration, never
     * taken from the client), when the request is inside its registered URL ({@code wholeOrigin}: anywhere on its
     * origin, for the {@code /_mcias/} routes); else null. The client-controlled Host never picks the app: a
     * member of app B who sends B's host to A's proxy is checked against A.
     */
    static App named(RealmModel realm, java.util.List<String> header, ForwardedRequest request, boolean wholeOrigin) {
        if (header == null || header.size() != 1 || header.get(0).isBlank() || header.get(0).length() > 255) {
            return null;
        }
        ClientModel client = realm.getClientByClientId(header.get(0).trim());
        App app = client == null || client.getAttribute(ForwardAuth.URL_ATTRIBUTE) == null ? null : of(client);
        if (app == null) {
            return null;
        }
        boolean inside = wholeOrigin ? app.url().origin().equals(request.origin()) : app.url().contains(request);
        return inside ? app : null;
    }

    String cookieName(boolean https) {
        if (cookieDomain != null) {
            return https ? "__Secure-" + ForwardAuth.DOMAIN_COOKIE : ForwardAuth.DOMAIN_COOKIE;
        }
        return ForwardAuth.cookieName(ForwardAuth.COOKIE, https, url.prefix().equals("/"));
    }

    String cookie(String value, int maxAge, boolean https) {
        return cookieDomain != null
                ? ForwardAuthResource.cookie(cookieName(https), value, "/", maxAge, https) + "; Domain=" + cookieDomain
                : ForwardAuthResource.cookie(cookieName(https), value, url.cookiePath(), maxAge, https);
    }

    String clearCookie(boolean https) {
        return cookie("", 0, https);
    }
}
