package dev.mcias.keycloak.forwardauth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The request a proxy asks about, from the headers its snippet sets: {@code X-Forwarded-Proto}, {@code -Host},
 * {@code -Uri} (and {@code -Method}); {@link #fromOriginalUrl} reads a sign-in's return URL. Anything unusual is refused here,
 * before an app is looked up: a header sent twice or as a list (a proxy chain we were not told about), a host that
 * is not a plain DNS name or address with an optional port, a URI that is not an origin-form path, dot segments or
 * encoded slashes and dots (they could make a path look inside an app's prefix while the upstream reads it
 * elsewhere), control characters, more than {@link #MAX_URI} characters.
 *
 * @param scheme    {@code http} or {@code https}
 * @param authority host in lower case, with the port unless it is the scheme's default
 * @param uri       path and query as the browser sent them
 */
public record ForwardedRequest(String scheme, String authority, String uri) {

    public static final int MAX_URI = 4096;
    static final int MAX_HOST = 255;

    private static final Pattern HOST = Pattern.compile("(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)*"
            + "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?::[0-9]{1,5})?|\\[[0-9a-f:.]+\\](?::[0-9]{1,5})?");
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");
    private static final Pattern ENCODED_DOT_OR_SLASH = Pattern.compile("(?i)%(2e|2f|5c)");

    /** A request the proxy described badly; the message is safe to show (it never echoes the header's value). */
    public static final class Malformed extends Exception {
        public Malformed(String message) {
            super(message);
        }
    }

    /** Reads the headers (each list is every value of that header, null or empty when absent). */
    public static ForwardedRequest from(List<String> proto, List<String> host, List<String> uri, List<String> method)
            throws Malformed {
        String m = single("X-Forwarded-Method", method, false);
        if (m != null && !METHOD.matcher(m).matches()) {
            throw new Malformed("X-Forwarded-Method is not an HTTP method");
        }
        return of(required("X-Forwarded-Proto", proto, false), required("X-Forwarded-Host", host, false),
                required("X-Forwarded-Uri", uri, true));
    }

    /** Validates and normalises the three parts. */
    public static ForwardedRequest of(String scheme, String host, String uri) throws Malformed {
        if (hasControl(scheme) || hasControl(host)) {
            throw new Malformed("the forwarded headers have control characters");
        }
        String s = scheme.trim().toLowerCase(Locale.ROOT);
        if (!s.equals("http") && !s.equals("https")) {
            throw new Malformed("X-Forwarded-Proto must be http or https");
        }
        return new ForwardedRequest(s, authority(s, host), path(uri));
    }

    static ForwardedRequest fromOriginalUrl(String url) throws Malformed {
        if (url.length() > MAX_URI + MAX_HOST + 16 || hasControl(url)) {
            throw new Malformed("the return URL is not an absolute http(s) URL");
        }
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw new Malformed("the return URL is not an absolute http(s) URL");
        }
        if (u.getScheme() == null || u.getRawAuthority() == null || u.getRawUserInfo() != null
                || u.getRawFragment() != null) {
            throw new Malformed("the return URL is not an absolute http(s) URL");
        }
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        return of(u.getScheme(), u.getRawAuthority(), u.getRawQuery() == null ? path : path + "?" + u.getRawQuery());
    }

    static String authority(String scheme, String host) throws Malformed {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.length() > MAX_HOST || !HOST.matcher(h).matches()) {
            throw new Malformed("X-Forwarded-Host is not a host name with an optional port");
        }
        int colon = h.lastIndexOf(':');
        if (colon > h.lastIndexOf(']')) {
            int port = Integer.parseInt(h.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new Malformed("X-Forwarded-Host has an invalid port");
            }
            if ((scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80)) {
                h = h.substring(0, colon);
            }
        }
        return h;
    }

    static String path(String uri) throws Malformed {
        if (uri.length() > MAX_URI) {
            throw new Malformed("X-Forwarded-Uri is longer than " + MAX_URI + " characters");
        }
        if (!uri.startsWith("/") || uri.startsWith("//") || hasControl(uri) || uri.indexOf(' ') >= 0
                || uri.indexOf('\\') >= 0 || uri.indexOf('#') >= 0) {
            throw new Malformed("X-Forwarded-Uri is not a path");
        }
        int q = uri.indexOf('?');
        String p = q < 0 ? uri : uri.substring(0, q);
        if (ENCODED_DOT_OR_SLASH.matcher(p).find()) {
            throw new Malformed("X-Forwarded-Uri has an encoded dot or slash in its path");
        }
        for (String segment : p.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new Malformed("X-Forwarded-Uri has a dot segment");
            }
        }
        return uri;
    }

    /** The path without the query. */
    public String path() {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    public boolean https() {
        return scheme.equals("https");
    }

    public String origin() {
        return scheme + "://" + authority;
    }

    public String url() {
        return origin() + uri;
    }

    private static String required(String name, List<String> values, boolean commas) throws Malformed {
        String v = single(name, values, commas);
        if (v == null || v.isBlank()) {
            throw new Malformed(name + " is missing");
        }
        return v;
    }

    /** The header's one value; {@code commas}: whether a comma may be part of it (else it means a list). */
    private static String single(String name, List<String> values, boolean commas) throws Malformed {
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1 || (!commas && values.get(0).indexOf(',') >= 0)) {
            throw new Malformed(name + " must be sent once, with one value");
        }
        return values.get(0);
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 || c >= 0x7f);
    }
}
