package dev.mcias.keycloak.audit.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.keycloak.Config;

import dev.mcias.keycloak.audit.webhook.WebhookDestinations.Verdict;

class WebhookDestinationsTest {

    /** An IP literal: parsed by InetAddress without any DNS lookup. */
    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** A resolver answering from a fixed table (host names never reach DNS in these tests). */
    static WebhookDestinations.Resolver table(Map<String, List<String>> answers) {
        return host -> {
            List<String> a = answers.get(host);
            if (a == null) {
                throw new UnknownHostException(host);
            }
            return a.stream().map(WebhookDestinationsTest::ip).toArray(InetAddress[]::new);
        };
    }

    @Test
    void internalAndSpecialPurposeAddresses() {
        List<String> internal = List.of(
                "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.0.0.5", "10.255.255.255",
                "100.64.0.1", "100.127.255.255", "169.254.169.254", "169.254.0.1", "172.16.0.1", "172.31.255.255",
                "192.168.0.1", "192.168.1.10", "192.0.0.8", "192.0.2.1", "192.88.99.1", "198.18.0.1", "198.19.255.255",
                "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
                "::", "::1", "0:0:0:0:0:0:0:1", "fe80::1", "febf::ffff", "fc00::1", "fd00::1", "fdff:ffff::1",
                "fec0::1", "ff02::1", "ff0e::1", "100::1", "2001:db8::1", "3fff::1", "2001:0:4136:e378::1",
                "64:ff9b:1::a00:1",
                // IPv4-mapped (Java hands these back as IPv4), IPv4-compatible, NAT64 and 6to4 forms of internal v4
                "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::127.0.0.1", "::10.0.0.1",
                "::169.254.169.254", "::2", "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b::c0a8:10a",
                "2002:7f00:1::1", "2002:a00:1::", "2002:c0a8:10a::1", "2002:a9fe:a9fe::");
        List<String> wrong = new ArrayList<>();
        for (String a : internal) {
            if (!WebhookDestinations.internal(ip(a))) {
                wrong.add(a);
            }
        }
        assertEquals(List.of(), wrong, "classified as public");
        List<String> external = List.of("8.8.8.8", "1.1.1.1", "93.184.216.34", "100.63.255.255", "100.128.0.0",
                "172.15.255.255", "172.32.0.0", "169.253.255.255", "169.255.0.0", "192.167.255.255", "192.169.0.0",
                "198.17.255.255", "198.20.0.0", "223.255.255.255", "11.0.0.1", "126.255.255.255", "128.0.0.1",
                "2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808",
                "2002:808:808::1", "2001:4860:4860::8888");
        for (String a : external) {
            if (WebhookDestinations.internal(ip(a))) {
                wrong.add(a);
            }
        }
        assertEquals(List.of(), wrong, "classified as internal");
    }

    @Test
    void embeddedIpv4OfTransitionForms() {
        assertEquals(ip("10.0.0.1"), WebhookDestinations.embeddedIpv4(ip("::10.0.0.1")));
        assertEquals(ip("192.168.1.10"), WebhookDestinations.embeddedIpv4(ip("64:ff9b::192.168.1.10")));
        assertEquals(ip("192.168.1.10"), WebhookDestinations.embeddedIpv4(ip("2002:c0a8:10a:1::5")));
        assertNull(WebhookDestinations.embeddedIpv4(ip("2606:4700::1")));
        assertNull(WebhookDestinations.embeddedIpv4(ip("10.0.0.1")));
    }

    /**
     * Spellings that java.net.URI accepts as a host and InetAddress resolves (decimal, zero-padded, short,
     * bracketed, mapped): the check resolves the URL's host exactly as the HTTP client will, so it sees the
     * address the client would connect to, whatever the spelling.
     */
    @Test
    void oddSpellingsAreJudgedByWhatTheyResolveTo() {
        WebhookDestinations none = WebhookDestinations.NONE;
        for (String url : List.of("https://2130706433/", "https://2130706434:8443/h", "https://127.000.000.001/",
                "https://0/", "https://0.0.0.0/", "https://[::]/", "https://[::1]/", "https://[0:0:0:0:0:0:0:1]/",
                "https://[::ffff:127.0.0.1]/", "https://[::ffff:7f00:1]/", "https://[::127.0.0.1]/",
                "https://[64:ff9b::a9fe:a9fe]/", "https://[2002:c0a8:101::1]/", "https://169.254.169.254/latest/",
                "https://[fd00::1]/", "https://167772165/", "https://10.0.0.5/", "https://0251.0376.0251.0376/",
                "https://localhost/", "https://LocalHost/")) {
            String host = URI.create(url).getHost();
            Verdict v = none.check(host, WebhookDestinations.SYSTEM);
            assertTrue(v != Verdict.ALLOWED, url + " -> " + v);
        }
        // A spelling the resolver does not accept never reaches a connection either.
        assertEquals(Verdict.UNRESOLVED, none.check("0x7f000001", WebhookDestinations.SYSTEM));
        assertEquals(Verdict.UNRESOLVED, none.check("[fe80::1%25lo]", WebhookDestinations.SYSTEM));
        assertEquals(Verdict.UNRESOLVED, none.check(null, WebhookDestinations.SYSTEM));
        assertEquals(Verdict.UNRESOLVED, none.check("", WebhookDestinations.SYSTEM));
        assertEquals(Verdict.ALLOWED, none.check("8.8.8.8", WebhookDestinations.SYSTEM));
        assertEquals(Verdict.ALLOWED, none.check("[2606:4700:4700::1111]", WebhookDestinations.SYSTEM));
    }

    @Test
    void anyInternalAddressOfANameRefusesIt() {
        WebhookDestinations.Resolver r = table(Map.of("mixed.example", List.of("93.184.216.34", "10.0.0.1"),
                "v6.example", List.of("2606:4700::1", "fd00::5"), "public.example", List.of("93.184.216.34",
                        "2606:4700::1")));
        assertEquals(Verdict.INTERNAL, WebhookDestinations.NONE.check("mixed.example", r));
        assertEquals(Verdict.INTERNAL, WebhookDestinations.NONE.check("v6.example", r));
        assertEquals(Verdict.ALLOWED, WebhookDestinations.NONE.check("public.example", r));
        assertEquals(Verdict.UNRESOLVED, WebhookDestinations.NONE.check("nowhere.example", r));
        WebhookDestinations.Resolver empty = host -> new InetAddress[0];
        assertEquals(Verdict.UNRESOLVED, WebhookDestinations.NONE.check("x.example", empty));
        WebhookDestinations.Resolver odd = host -> {
            throw new IllegalArgumentException("bad host");
        };
        assertEquals(Verdict.UNRESOLVED, WebhookDestinations.NONE.check("x.example", odd));
    }

    @Test
    void allowListOfAddressesRangesAndHostNames() {
        WebhookDestinations d = WebhookDestinations.parse(" 127.0.0.1, 192.168.1.0/24 Hub.Home.Arpa.\n"
                + "[fd00::]/8,::1");
        WebhookDestinations.Resolver r = withLiterals(table(Map.of("hub.home.arpa", List.of("10.1.2.3", "fd12::1"),
                "HUB.home.arpa.", List.of("10.1.2.3"), "other.home.arpa", List.of("10.1.2.3"),
                "relay.example", List.of("127.0.0.1", "::1"), "half.example", List.of("127.0.0.1", "127.0.0.2"))));
        assertEquals(Verdict.ALLOWED, d.check("127.0.0.1", r));
        assertEquals(Verdict.INTERNAL, d.check("127.0.0.2", r));
        assertEquals(Verdict.ALLOWED, d.check("192.168.1.77", r));
        assertEquals(Verdict.INTERNAL, d.check("192.168.2.1", r));
        assertEquals(Verdict.ALLOWED, d.check("[fd12::1]", r));
        assertEquals(Verdict.INTERNAL, d.check("[fe80::1]", r));
        assertEquals(Verdict.ALLOWED, d.check("[::1]", r));
        assertEquals(Verdict.ALLOWED, d.check("[::ffff:127.0.0.1]", r));
        assertEquals(Verdict.ALLOWED, d.check("[::ffff:192.168.1.5]", r));
        assertEquals(Verdict.ALLOWED, d.check("hub.home.arpa", r), "a listed name, whatever it resolves to");
        assertEquals(Verdict.ALLOWED, d.check("HUB.home.arpa.", r), "case and trailing dot do not matter");
        assertEquals(Verdict.INTERNAL, d.check("other.home.arpa", r), "names are exact, not suffixes");
        assertEquals(Verdict.ALLOWED, d.check("relay.example", r), "every address allowed by a range");
        assertEquals(Verdict.INTERNAL, d.check("half.example", r), "one address outside the ranges refuses");
        assertEquals(Verdict.ALLOWED, d.check("8.8.8.8", r), "public addresses need no entry");
        assertTrue(d.allowsInternal());
        assertEquals("127.0.0.1/32,192.168.1.0/24,fd00:0:0:0:0:0:0:0/8,0:0:0:0:0:0:0:1/128,hub.home.arpa",
                d.toString());

        WebhookDestinations hubOnly = WebhookDestinations.parse("hub.home.arpa");
        WebhookDestinations.Resolver down = table(Map.of());
        assertEquals(Verdict.UNRESOLVED, hubOnly.check("hub.home.arpa", down), "a listed name must still resolve");
    }

    /** Addresses resolve to themselves, names through the table. */
    static WebhookDestinations.Resolver withLiterals(WebhookDestinations.Resolver names) {
        return host -> {
            String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            if (h.contains(":") || h.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
                return new InetAddress[] {ip(h)};
            }
            return names.resolve(host);
        };
    }

    @Test
    void unsetOrBlankAllowsNoInternalDestination() {
        assertSame(WebhookDestinations.NONE, WebhookDestinations.parse(null));
        assertSame(WebhookDestinations.NONE, WebhookDestinations.parse("  "));
        assertFalse(WebhookDestinations.NONE.allowsInternal());
        WebhookDestinations.Resolver r = withLiterals(table(Map.of()));
        for (String host : List.of("127.0.0.1", "[::1]", "192.168.1.10", "10.0.0.5", "169.254.169.254")) {
            assertEquals(Verdict.INTERNAL, WebhookDestinations.NONE.check(host, r), host);
        }
        assertEquals(WebhookDestinations.parse("127.0.0.1/32").toString(),
                WebhookDestinations.parse("127.0.0.1").toString());
        assertEquals(Verdict.ALLOWED, WebhookDestinations.parse("0.0.0.0/0,::/0").check("169.254.169.254", r),
                "the operator can switch the address policy off");
    }

    @Test
    void malformedEntriesAreRefusedByName() {
        for (String bad : List.of("10.0.0.0/33", "10.0.0.1/24", "127.1", "0177.0.0.1", "2130706433", "256.0.0.1",
                "1.2.3.4.5", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "::1/129", "fe80::1%eth0", "hub.lan:8080",
                "http://hub.lan", "*.home.arpa", "hub_1.lan", "-hub.lan", "hub-.lan", "a..b", "[::1", "fd00::/x",
                "g::1", "x".repeat(64) + ".lan", "hub.123")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WebhookDestinations.parse("127.0.0.1, " + bad + " ,hub.home.arpa"), bad);
            assertTrue(e.getMessage().startsWith("audit webhooks: webhook-allowed-destinations entry '" + bad + "': "),
                    e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WebhookDestinations.parse("hub\u0007.lan"));
        assertFalse(e.getMessage().contains("\u0007"), "control characters are not echoed");
        assertThrows(IllegalArgumentException.class,
                () -> WebhookDestinations.parse(String.join(",", java.util.Collections.nCopies(101, "10.0.0.1"))));
    }

    // --- the policy inside the dispatcher

    private static int scopes;

    /** A dispatcher configured from system properties under a prefix of its own. */
    static WebhookDispatcher dispatcher(String allowed) {
        String prefix = "mcias.test.webhook-destinations." + (++scopes) + ".";
        if (allowed != null) {
            System.setProperty(prefix + "webhookAllowedDestinations", allowed);
        }
        return WebhookDispatcher.fromConfig(new Config.SystemPropertiesScope(prefix));
    }

    @Test
    void aRefusedDestinationIsNeverContactedAndFailsAtOnceWithOneMessage() {
        WebhookDispatcher d = dispatcher(null);
        d.resolver(withLiterals(table(Map.of("internal.example", List.of("10.0.0.7")))));
        AtomicInteger sent = new AtomicInteger();
        WebhookDispatcher.Outcome internal = d.guarded("http://127.0.0.1:8080/hook", () -> {
            sent.incrementAndGet();
            return new WebhookDispatcher.Outcome(200, null);
        });
        WebhookDispatcher.Outcome byName = d.guarded("https://internal.example/hook", () -> {
            sent.incrementAndGet();
            return new WebhookDispatcher.Outcome(200, null);
        });
        WebhookDispatcher.Outcome unresolved = d.guarded("https://nowhere.example/hook", () -> {
            sent.incrementAndGet();
            return new WebhookDispatcher.Outcome(200, null);
        });
        assertEquals(0, sent.get(), "no connection attempted");
        assertEquals(internal, byName);
        assertEquals(internal, unresolved, "an unresolvable host looks exactly like an internal one");
        assertTrue(internal.refused());

        WebhookOutboxEntity row = new WebhookOutboxEntity();
        row.setStatus(WebhookOutboxEntity.PENDING);
        row.setAttempts(0);
        row.setCreatedAt(1000);
        assertEquals(-1, d.record(row, internal, 2000), "no retry");
        assertEquals(WebhookOutboxEntity.FAILED, row.getStatus());
        assertEquals("destination not allowed", row.getLastError());
        assertNull(row.getLastStatus());
        assertEquals(1, row.getAttempts());
        assertEquals(2000L, row.getDoneAt());
    }

    @Test
    void anAllowedDestinationIsSentAndItsOutcomeKept() {
        WebhookDispatcher d = dispatcher("127.0.0.1, hub.home.arpa");
        d.resolver(withLiterals(table(Map.of("hub.home.arpa", List.of("192.168.1.10")))));
        AtomicInteger sent = new AtomicInteger();
        WebhookDispatcher.Outcome ok = new WebhookDispatcher.Outcome(204, null);
        assertSame(ok, d.guarded("http://127.0.0.1:8080/hook", () -> {
            sent.incrementAndGet();
            return ok;
        }));
        WebhookDispatcher.Outcome err = new WebhookDispatcher.Outcome(500, "HTTP 500");
        assertSame(err, d.guarded("https://hub.home.arpa/hook", () -> {
            sent.incrementAndGet();
            return err;
        }));
        assertEquals(2, sent.get());
    }

    /** DNS rebinding: the name turned internal while the attempt ran; what answered is not revealed. */
    @Test
    void aNameThatTurnsInternalDuringTheAttemptHasItsOutcomeWithheld() {
        WebhookDispatcher d = dispatcher(null);
        AtomicInteger lookups = new AtomicInteger();
        d.resolver(host -> new InetAddress[] {ip(lookups.incrementAndGet() == 1 ? "93.184.216.34" : "169.254.169.254")});
        AtomicInteger sent = new AtomicInteger();
        WebhookDispatcher.Outcome got = d.guarded("https://rebind.example/hook", () -> {
            sent.incrementAndGet();
            return new WebhookDispatcher.Outcome(200, null);
        });
        assertEquals(1, sent.get());
        assertEquals(2, lookups.get());
        assertTrue(got.refused());
        assertEquals("destination not allowed", got.error());

        // A lookup that merely fails after the attempt keeps the attempt's outcome (it was sent to the checked
        // address as far as anyone knows; a resolver hiccup must not fail a delivered message).
        AtomicInteger lookups2 = new AtomicInteger();
        d.resolver(host -> {
            if (lookups2.incrementAndGet() > 1) {
                throw new UnknownHostException(host);
            }
            return new InetAddress[] {ip("93.184.216.34")};
        });
        WebhookDispatcher.Outcome ok = new WebhookDispatcher.Outcome(200, null);
        assertSame(ok, d.guarded("https://flaky.example/hook", () -> ok));
    }

    @Test
    void aMalformedOptionStopsStartupNamingTheEntry() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dispatcher("127.0.0.1,192.168.1.300"));
        assertEquals("audit webhooks: webhook-allowed-destinations entry '192.168.1.300': not an IPv4 address (four"
                + " decimal numbers 0-255)", e.getMessage());
    }
}
