package dev.mcias.keycloak.forwardauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;

/** The app a request is checked against is the one the proxy's snippet names, never the one the Host points at. */
class AppTest {

    static ClientModel client(String clientId, String url) {
        return (ClientModel) Proxy.newProxyInstance(AppTest.class.getClassLoader(), new Class<?>[] {ClientModel.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getClientId" -> clientId;
                    case "isEnabled" -> true;
                    case "getAttribute" -> ForwardAuth.URL_ATTRIBUTE.equals(a[0]) ? url : null;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    /** A realm that only answers lookups by client id (a scan of every client would fail the test). */
    static RealmModel realm(ClientModel... clients) {
        Map<String, ClientModel> byId = new java.util.HashMap<>();
        for (ClientModel c : clients) {
            byId.put(c.getClientId(), c);
        }
        return (RealmModel) Proxy.newProxyInstance(AppTest.class.getClassLoader(), new Class<?>[] {RealmModel.class},
                (p, m, a) -> {
                    if (m.getName().equals("getClientByClientId")) {
                        return byId.get((String) a[0]);
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    final ClientModel a = client("app-a", "https://a.example/");
    final ClientModel b = client("app-b", "https://b.example/");
    final ClientModel wiki = client("wiki", "https://shared.example/wiki");
    final RealmModel realm = realm(a, b, wiki, client("plain", null));

    static ForwardedRequest at(String host, String uri) throws Exception {
        return ForwardedRequest.of("https", host, uri);
    }

    @Nested
    class GivenTheSnippetNamesAppA {

        @Test
        void aRequestToAsHostIsA() throws Exception {
            assertEquals("app-a",
                    App.named(realm, List.of("app-a"), at("a.example", "/x"), false).client().getClientId());
        }

        @Test
        void aRequestWithBsHostIsRefusedNotCheckedAgainstB() throws Exception {
            assertNull(App.named(realm, List.of("app-a"), at("b.example", "/x"), false));
            assertNull(App.named(realm, List.of("app-a"), at("b.example", "/_mcias/login"), true));
        }

        @Test
        void aPathOutsideThePrefixIsRefused() throws Exception {
            assertNull(App.named(realm, List.of("wiki"), at("shared.example", "/other"), false));
            assertEquals("wiki",
                    App.named(realm, List.of("wiki"), at("shared.example", "/_mcias/login"), true).client().getClientId());
        }
    }

    static ClientModel withDomain(String url, String domain) {
        return (ClientModel) Proxy.newProxyInstance(AppTest.class.getClassLoader(), new Class<?>[] {ClientModel.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getClientId" -> "app";
                    case "isEnabled" -> true;
                    case "getAttribute" -> ForwardAuth.URL_ATTRIBUTE.equals(a[0]) ? url
                            : ForwardAuth.COOKIE_DOMAIN_ATTRIBUTE.equals(a[0]) ? domain : null;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @Nested
    class GivenACookieDomain {

        @Test
        void aParentDomainOfTheHostOrTheHostItselfIsTheApps() {
            assertEquals("example.org", App.of(withDomain("https://wiki.example.org/", "example.org")).cookieDomain());
            assertEquals("wiki.example.org",
                    App.of(withDomain("https://wiki.example.org:8443/w", "wiki.example.org")).cookieDomain());
            assertNull(App.of(withDomain("https://wiki.example.org/", "")).cookieDomain());
            assertNull(App.of(withDomain("https://wiki.example.org/", null)).cookieDomain());
        }

        @Test
        void anyOtherDomainMakesTheAppAdmitNobody() {
            for (String bad : List.of("other.org", "ample.org", "org", "Example.org", ".example.org", "example.org.",
                    "*.example.org", "example..org", "x.example.org")) {
                assertNull(App.of(withDomain("https://wiki.example.org/", bad)), bad);
            }
            assertNull(App.of(withDomain("http://127.0.0.1:8080/", "0.0.1")));
            assertNull(App.of(withDomain("http://127.0.0.1:8080/", "127.0.0.1")));
        }

        @Test
        void itsCookieIsTheSharedOneOnTheWholeDomain() {
            App app = App.of(withDomain("https://wiki.example.org/w/", "example.org"));
            assertEquals("__Secure-mcias_fa_d", app.cookieName(true));
            assertEquals("__Secure-mcias_fa_d=v; Path=/; Max-Age=5; HttpOnly; SameSite=Lax; Secure; Domain=example.org",
                    app.cookie("v", 5, true));
        }
    }

    @Nested
    class GivenNoUsableName {

        @Test
        void missingRepeatedUnknownOrNotForwardAuthIsRefused() throws Exception {
            ForwardedRequest r = at("a.example", "/");
            assertNull(App.named(realm, null, r, false));
            assertNull(App.named(realm, List.of(), r, false));
            assertNull(App.named(realm, List.of("app-a", "app-a"), r, false));
            assertNull(App.named(realm, List.of("nobody"), r, false));
            assertNull(App.named(realm, List.of("plain"), r, false));
            assertNull(App.named(realm, List.of("x".repeat(300)), r, false));
        }
    }
}
