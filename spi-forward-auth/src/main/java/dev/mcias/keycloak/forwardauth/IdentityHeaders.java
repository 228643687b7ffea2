package dev.mcias.keycloak.forwardauth;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import org.keycloak.models.ClientModel;

/**
 * The names of the identity headers an app is sent ({@code Remote-User} and the others unless the app names its
 * own: client attributes {@code mcias.forward-auth.header.user|email|name|groups}). A name that could change how
 * the proxy or the app reads the request (Host, Cookie, a forwarded header, ...) or two equal names make the app
 * unusable, never a header sent anyway: the proxy's snippet strips exactly these names from the client's request.
 */
record IdentityHeaders(String user, String email, String name, String groups) {

    static final String ATTRIBUTE = "mcias.forward-auth.header.";
    static final List<String> KEYS = List.of("user", "email", "name", "groups");
    static final IdentityHeaders DEFAULT = new IdentityHeaders(ForwardAuth.USER_HEADER, ForwardAuth.EMAIL_HEADER,
            ForwardAuth.NAME_HEADER, ForwardAuth.GROUPS_HEADER);

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9-]{0,63}");
    private static final Set<String> RESERVED = Set.of("authorization", "proxy-authorization", "cookie", "set-cookie",
            "host", "content-length", "content-type", "content-encoding", "transfer-encoding", "connection",
            "keep-alive", "upgrade", "te", "trailer", "expect", "location", "forwarded", "via", "x-real-ip",
            "cache-control", ForwardAuth.APP_HEADER.toLowerCase(Locale.ROOT));

    /** The app's names, or null when one of them is not allowed (the app then admits nobody). */
    static IdentityHeaders of(ClientModel client) {
        String[] names = new String[KEYS.size()];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.length; i++) {
            String v = client.getAttribute(ATTRIBUTE + KEYS.get(i));
            names[i] = v == null || v.isEmpty() ? DEFAULT.all().get(i) : v;
            if (!allowed(names[i]) || !seen.add(names[i].toLowerCase(Locale.ROOT))) {
                return null;
            }
        }
        return new IdentityHeaders(names[0], names[1], names[2], names[3]);
    }

    static boolean allowed(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return NAME.matcher(name).matches() && !RESERVED.contains(lower) && !lower.startsWith("x-forwarded-")
                && !lower.startsWith("sec-") && !lower.startsWith("x-mcias-");
    }

    List<String> all() {
        return List.of(user, email, name, groups);
    }
}
