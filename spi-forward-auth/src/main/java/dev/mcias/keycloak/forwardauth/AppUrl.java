package dev.mcias.keycloak.forwardauth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where a forward-auth app lives: the URL registered on its client ({@code mcias.forward-auth.url}), a scheme, a
 * host with an optional port and a path prefix (the whole host when the path is {@code /}). It is also the app's
 * home URL, where a sign-in lands when the return URL it was given is not the app's.
 *
 * @param prefix always ends with {@code /}
 */
public record AppUrl(String scheme, String authority, String prefix) {

    /** The registered URL, or null when it is not an absolute http(s) URL without query, fragment or user info. */
    public static AppUrl parse(String registered) {
        if (registered == null || registered.isBlank()) {
            return null;
        }
        try {
            URI u = new URI(registered.trim());
            if (u.getScheme() == null || u.getRawAuthority() == null || u.getRawUserInfo() != null
                    || u.getRawQuery() != null || u.getRawFragment() != null) {
                return null;
            }
            String scheme = u.getScheme().toLowerCase(Locale.ROOT);
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            ForwardedRequest.path(path);
            return new AppUrl(scheme, ForwardedRequest.authority(scheme, u.getRawAuthority()),
                    path.endsWith("/") ? path : path + "/");
        } catch (URISyntaxException | ForwardedRequest.Malformed | IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether the request is this app's: same scheme and host, path inside the prefix. */
    public boolean contains(ForwardedRequest request) {
        return scheme.equals(request.scheme()) && authority.equals(request.authority()) && inside(request.path());
    }

    boolean inside(String path) {
        return path.startsWith(prefix) || path.equals(prefix.substring(0, prefix.length() - 1));
    }

    public String origin() {
        return scheme + "://" + authority;
    }

    public String home() {
        return origin() + prefix;
    }

    /** Where the proxy snippet routes {@code /_mcias/} to Keycloak: on the app's host, whatever its prefix. */
    public String callback() {
        return origin() + ForwardAuth.ROUTE + "callback";
    }

    /** Cookies are scoped to the prefix, so apps sharing a host under different prefixes keep theirs apart. */
    public String cookiePath() {
        return prefix;
    }

    /**
     * The URL to return to after sign-in: {@code requested} when it is an absolute URL of this app (scheme, host
     * and prefix), else the home URL. This is what stops an open redirect through the sign-in.
     */
    public String returnUrl(String requested) {
        if (requested == null || requested.length() > ForwardedRequest.MAX_URI) {
            return home();
        }
        try {
            ForwardedRequest r = ForwardedRequest.fromOriginalUrl(requested);
            return contains(r) && !r.path().startsWith(ForwardAuth.ROUTE) ? r.url() : home();
        } catch (ForwardedRequest.Malformed e) {
            return home();
        }
    }
}
