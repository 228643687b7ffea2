package dev.mcias.keycloak.forwardauth;

import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;

/** A client registered for forward-auth, with the URL it lives at. */
record App(ClientModel client, AppUrl url) {

    /** The client's app, or null when the client has no valid forward-auth URL or is disabled. */
    static App of(ClientModel client) {
        AppUrl url = client.isEnabled() ? AppUrl.parse(client.getAttribute(ForwardAuth.URL_ATTRIBUTE)) : null;
        return url == null ? null : new App(client, url);
    }

    /**
     * The app the request belongs to: the one whose URL contains it, the longest prefix winning; null when none
     * does (unknown hosts are refused, never let through). Reads the realm's cached client list.
     */
    static App find(RealmModel realm, ForwardedRequest request) {
        return realm.getClientsStream()
                .filter(c -> c.getAttribute(ForwardAuth.URL_ATTRIBUTE) != null)
                .map(App::of)
                .filter(a -> a != null && a.url().contains(request))
                .max((a, b) -> Integer.compare(a.url().prefix().length(), b.url().prefix().length()))
                .orElse(null);
    }

    /**
     * For the {@code /_mcias/} routes, which live on the app's host whatever its prefix: the app containing the
     * request (its URI, or the return URL of a sign-in), else the one app on this origin; null when there is none
     * or several.
     */
    static App onOrigin(RealmModel realm, ForwardedRequest request) {
        App app = find(realm, request);
        if (app != null) {
            return app;
        }
        java.util.List<App> here = realm.getClientsStream()
                .filter(c -> c.getAttribute(ForwardAuth.URL_ATTRIBUTE) != null)
                .map(App::of)
                .filter(a -> a != null && a.url().origin().equals(request.origin()))
                .limit(2).toList();
        return here.size() == 1 ? here.get(0) : null;
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
