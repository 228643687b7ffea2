package dev.mcias.keycloak.audit.webhook;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.keycloak.models.RealmModel;

/**
 * A realm's webhook settings, from realm attributes: {@code mcias.webhook.url} (one or more endpoint URLs,
 * separated by commas or white space; unset = webhooks off) and {@code mcias.webhook.events} (comma list of record
 * types, {@code PREFIX*} for a prefix, {@code *} for all; unset = all). An endpoint must be https, or http to the
 * loopback interface; anything else is ignored (and reported in {@link #rejected}). Where an accepted URL may lead
 * is decided at each delivery, on the resolved addresses ({@link WebhookDestinations}).
 */
public record WebhookRealmConfig(List<String> urls, List<String> rejected, List<String> events) {

    public static final String URL_ATTRIBUTE = "mcias.webhook.url";
    public static final String EVENTS_ATTRIBUTE = "mcias.webhook.events";
    static final int MAX_URLS = 5;
    static final int MAX_URL_LENGTH = 1024;
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

    public static final WebhookRealmConfig OFF = new WebhookRealmConfig(List.of(), List.of(), List.of());

    public static WebhookRealmConfig of(RealmModel realm) {
        return realm == null ? OFF : parse(realm.getAttribute(URL_ATTRIBUTE), realm.getAttribute(EVENTS_ATTRIBUTE));
    }

    static WebhookRealmConfig parse(String urlAttr, String eventsAttr) {
        if (urlAttr == null || urlAttr.isBlank()) {
            return OFF;
        }
        List<String> urls = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        for (String u : urlAttr.split("[,\\s]+")) {
            if (u.isEmpty()) {
                continue;
            }
            if (urls.size() < MAX_URLS && allowed(u) && !urls.contains(u)) {
                urls.add(u);
            } else if (!urls.contains(u)) {
                rejected.add(u);
            }
        }
        List<String> events = new ArrayList<>();
        if (eventsAttr != null) {
            for (String e : eventsAttr.split(",")) {
                if (!e.isBlank()) {
                    events.add(e.strip());
                }
            }
        }
        return new WebhookRealmConfig(List.copyOf(urls), List.copyOf(rejected), List.copyOf(events));
    }

    public boolean on() {
        return !urls.isEmpty();
    }

    /** Whether a record of this type is sent: no list means every type. */
    public boolean matches(String type) {
        if (events.isEmpty()) {
            return true;
        }
        for (String e : events) {
            if (e.equals("*") || e.equals(type)
                    || (e.endsWith("*") && type.startsWith(e.substring(0, e.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * https anywhere; http only to 127.0.0.1, ::1 or localhost (a local relay, or tests), so a record never crosses
     * a network in clear. No user info (a credential in a realm attribute every realm admin can read), no fragment.
     */
    static boolean allowed(String url) {
        if (url.length() > MAX_URL_LENGTH) {
            return false;
        }
        try {
            URI u = new URI(url);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            String host = u.getHost() == null ? null : u.getHost().toLowerCase(Locale.ROOT);
            if (host == null || u.getRawUserInfo() != null || u.getRawFragment() != null) {
                return false;
            }
            return scheme.equals("https") || (scheme.equals("http") && LOOPBACK.contains(host));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Scheme, host and port of an endpoint: what listings show (a path or query may hold a token). */
    public static String origin(String url) {
        try {
            URI u = new URI(url);
            return u.getScheme() + "://" + u.getHost() + (u.getPort() == -1 ? "" : ":" + u.getPort());
        } catch (URISyntaxException e) {
            return "(invalid)";
        }
    }
}
