package dev.mcias.keycloak.forwardauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ForwardedRequestTest {

    static ForwardedRequest of(String proto, String host, String uri) throws ForwardedRequest.Malformed {
        return ForwardedRequest.from(List.of(proto), List.of(host), List.of(uri), List.of("GET"));
    }

    @Nested
    class GivenTheThreeForwardedHeaders {

        @Test
        void theHostIsLowerCasedAndTheDefaultPortDropped() throws Exception {
            ForwardedRequest r = of("HTTPS", "Wiki.Example.org:443", "/a/b?x=1,2");
            assertEquals("https://wiki.example.org/a/b?x=1,2", r.url());
            assertEquals("/a/b", r.path());
            assertEquals("http://wiki.example.org:8443", of("http", "wiki.example.org:8443", "/").origin());
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "ftp", "https, http"})
        void anotherSchemeIsMalformed(String proto) {
            assertThrows(ForwardedRequest.Malformed.class, () -> of(proto, "a.example", "/"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "a b", "a.example, b.example", "a_b.example", "a.example:0", "a.example:99999",
                "a.example:x", "user@a.example", "a.example/x", "\u0001a.example"})
        void aHostThatIsNotAPlainHostIsMalformed(String host) {
            assertThrows(ForwardedRequest.Malformed.class, () -> of("https", host, "/"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "x", "//evil.example/", "/a/../b", "/a/./b", "/..", "/a/%2e%2e/b", "/a%2Fb",
                "/a%5cb", "/a\\b", "/a b", "/a#b", "/a\u0000"})
        void aUriThatIsNotAPlainPathIsMalformed(String uri) {
            assertThrows(ForwardedRequest.Malformed.class, () -> of("https", "a.example", uri));
        }

        @Test
        void anOversizedUriIsMalformed() {
            assertThrows(ForwardedRequest.Malformed.class,
                    () -> of("https", "a.example", "/" + "a".repeat(ForwardedRequest.MAX_URI)));
        }

        @Test
        void aHeaderSentTwiceIsMalformed() {
            assertThrows(ForwardedRequest.Malformed.class, () -> ForwardedRequest.from(List.of("https"),
                    List.of("a.example", "b.example"), List.of("/"), null));
        }

        @Test
        void aMissingHeaderIsMalformed() {
            assertThrows(ForwardedRequest.Malformed.class,
                    () -> ForwardedRequest.from(List.of("https"), List.of("a.example"), null, null));
        }
    }

    @Nested
    class GivenAReturnUrl {

        @Test
        void itIsRead() throws Exception {
            assertEquals("https://a.example/p?q=1", ForwardedRequest.fromOriginalUrl(
                    "https://A.example:443/p?q=1").url());
        }

        @ParameterizedTest
        @ValueSource(strings = {"/relative", "https://u@a.example/", "https://a.example/#f", "mailto:x@a.example",
                "https://a.example/../x"})
        void anythingButAnAbsoluteHttpUrlIsMalformed(String url) {
            assertThrows(ForwardedRequest.Malformed.class,
                    () -> ForwardedRequest.fromOriginalUrl(url));
        }
    }

    @Nested
    class GivenAnAppUrl {

        final AppUrl wiki = AppUrl.parse("https://example.org/wiki");

        @Test
        void theRequestsInsideItsPrefixAreItsOnly() throws Exception {
            assertEquals("/wiki/", wiki.prefix());
            assertTrue(wiki.contains(of("https", "example.org", "/wiki")));
            assertTrue(wiki.contains(of("https", "example.org", "/wiki/page?x")));
            assertFalse(wiki.contains(of("https", "example.org", "/wikipedia")));
            assertFalse(wiki.contains(of("http", "example.org", "/wiki/")));
            assertFalse(wiki.contains(of("https", "example.org:8443", "/wiki/")));
            assertFalse(wiki.contains(of("https", "evil.example.org", "/wiki/")));
        }

        @Test
        void theReturnUrlIsTheAppsOrItsHome() {
            assertEquals("https://example.org/wiki/page?x=1", wiki.returnUrl("https://example.org/wiki/page?x=1"));
            for (String other : new String[] {null, "", "https://evil.example/wiki/", "//evil.example/",
                    "https://example.org.evil.example/wiki/", "https://example.org@evil.example/wiki/",
                    "http://example.org/wiki/", "https://example.org/other", "javascript:alert(1)",
                    "https://example.org/wiki/\r\nSet-Cookie: x=1", "https://example.org/_mcias/logout",
                    "/wiki/relative"}) {
                assertEquals("https://example.org/wiki/", wiki.returnUrl(other), String.valueOf(other));
            }
            assertEquals("https://example.org/_mcias/callback", wiki.callback());
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "wiki.example.org", "https://wiki.example.org/?q", "https://u@wiki.example.org/",
                "https://wiki.example.org/#x", "https://wiki.example.org/a/../b"})
        void aBadRegistrationIsNoApp(String registered) {
            assertNull(AppUrl.parse(registered));
        }
    }

    @Nested
    class GivenIdentityValues {

        @Test
        void printableAsciiIsKeptAndTheRestEncoded() {
            assertEquals("alice", HeaderValue.encode("alice", false));
            assertEquals("Zo%C3%AB 50%25", HeaderValue.encode("Zoë 50%", false));
            assertEquals("a%0D%0AX-Evil: 1", HeaderValue.encode("a\r\nX-Evil: 1", false));
            assertEquals("a%2Cb", HeaderValue.encode("a,b", true));
        }

        @Test
        void theReturnParameterIsReadRawOrDecoded() {
            assertEquals("http://a.example/p?x=1&y=2", ForwardAuthResource.returnParameter("rd=http://a.example/p?x=1&y=2"));
            assertEquals("https://a.example/p?x=1&y=2",
                    ForwardAuthResource.returnParameter("rd=https%3A%2F%2Fa.example%2Fp%3Fx%3D1%26y%3D2"));
            assertNull(ForwardAuthResource.returnParameter("x=1&rd=https://a.example/"));
            assertNull(ForwardAuthResource.returnParameter("rd=https%3A%zz"));
        }
    }
}
