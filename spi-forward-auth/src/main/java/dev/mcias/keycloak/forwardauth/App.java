package dev.mcias.keycloak.forwardauth;

import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;

/**
 * A client registered for forward-auth: the URL it lives at, the names of its identity headers and whether it is
 * sent an access token ({@link ForwardAuth#TOKEN_ATTRIBUTE}).
 */
record App(ClientModel client, AppUrl url, IdentityHeaders headers, boolean passToken) {

    /** The client's app, or null when the client is disabled or its forward-auth URL or header names are not valid. */
    static App of(ClientModel client) {
        AppUrl url = client.isEnabled() ? AppUrl.parse(client.getAttribute(ForwardAuth.URL_ATTRIBUTE)) : null;
        IdentityHeaders headers = url == null ? null : IdentityHeaders.of(client);
        return headers == null ? null
                : new App(client, url, headers, "true".equals(client.getAttribute(ForwardAuth.TOKEN_ATTRIBUTE)));
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
        return ForwardAuth.cookieName(ForwardAuth.COOKIE, https, url.prefix().equals("/"));
    }

    String cookie(String value, int maxAge, boolean https) {
        return ForwardAuthResource.cookie(cookieName(https), value, url.cookiePath(), maxAge, https);
    }

    String clearCookie(boolean https) {
        return cookie("", 0, https);
    }
}
