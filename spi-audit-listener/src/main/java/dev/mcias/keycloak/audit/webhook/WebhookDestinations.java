package dev.mcias.keycloak.audit.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where webhook deliveries may go. Realm admins choose the endpoint URL (a realm attribute), so without this
 * policy they could make Keycloak POST to services on its own network (cloud metadata at 169.254.169.254, an
 * admin port on loopback, a database's HTTP interface on 10.x) and read from the delivery status whether those
 * answer. Checked at delivery time, on the addresses the host resolves to then: a delivery is refused when
 * <em>any</em> of them is internal ({@link #internal}) and not allowed by the operator's
 * {@code webhook-allowed-destinations} option (CIDRs and exact host names; empty by default, so every internal
 * destination is refused). A host name that does not resolve is refused as well.
 */
public final class WebhookDestinations {

    /** Resolves a URL's host exactly as the HTTP client will (InetAddress, with the JVM's DNS cache). */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    static final Resolver SYSTEM = InetAddress::getAllByName;

    /** Outcome of a check; only the server log tells the last two apart, realm admins see one refusal. */
    enum Verdict {
        ALLOWED, INTERNAL, UNRESOLVED
    }

    /**
     * Internal and special-purpose ranges (IANA special-purpose registries, RFC 6890 and successors) that are not
     * globally reachable unicast: loopback, private, CGNAT, link-local, unspecified, multicast, broadcast,
     * documentation, benchmarking, reserved, ULA, and the IPv6 transition prefixes whose embedded IPv4 address is
     * not checked separately (Teredo, local-use NAT64). IPv4-mapped, IPv4-compatible, well-known NAT64 and 6to4
     * addresses are judged by the IPv4 address they embed ({@link #embeddedIpv4}).
     */
    private static final List<Cidr> INTERNAL = List.of(
            Cidr.parse("0.0.0.0/8"), // "this network"; 0.0.0.0 connects to the local host on Linux
            Cidr.parse("10.0.0.0/8"),
            Cidr.parse("100.64.0.0/10"), // carrier-grade NAT, often the provider's or a VPN's internal network
            Cidr.parse("127.0.0.0/8"),
            Cidr.parse("169.254.0.0/16"), // link-local, cloud metadata services
            Cidr.parse("172.16.0.0/12"),
            Cidr.parse("192.0.0.0/24"), // IETF protocol assignments
            Cidr.parse("192.0.2.0/24"),
            Cidr.parse("192.88.99.0/24"), // 6to4 relay anycast (deprecated)
            Cidr.parse("192.168.0.0/16"),
            Cidr.parse("198.18.0.0/15"), // benchmarking
            Cidr.parse("198.51.100.0/24"),
            Cidr.parse("203.0.113.0/24"),
            Cidr.parse("224.0.0.0/4"), // multicast
            Cidr.parse("240.0.0.0/4"), // reserved, and 255.255.255.255 broadcast
            Cidr.parse("::/128"),
            Cidr.parse("::1/128"),
            Cidr.parse("64:ff9b:1::/48"), // local-use NAT64: embeds addresses of the local network
            Cidr.parse("100::/64"), // discard-only
            Cidr.parse("2001::/32"), // Teredo (embeds an obfuscated IPv4 address; a defunct service anyway)
            Cidr.parse("2001:db8::/32"),
            Cidr.parse("3fff::/20"), // documentation
            Cidr.parse("fc00::/7"), // unique local
            Cidr.parse("fe80::/10"), // link-local
            Cidr.parse("fec0::/10"), // site-local (deprecated, still routed internally by some networks)
            Cidr.parse("ff00::/8")); // multicast

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final int MAX_ENTRIES = 100;

    private final List<Cidr> allowedRanges;
    private final Set<String> allowedHosts;

    private WebhookDestinations(List<Cidr> ranges, Set<String> hosts) {
        this.allowedRanges = List.copyOf(ranges);
        this.allowedHosts = Set.copyOf(hosts);
    }

    /** No internal destination allowed (the default). */
    static final WebhookDestinations NONE = new WebhookDestinations(List.of(), Set.of());

    /**
     * The {@code webhook-allowed-destinations} option: entries separated by commas or white space, each an IPv4
     * or IPv6 address, a CIDR range ({@code 192.168.1.0/24}, {@code fd00::/8}), or an exact host name. A malformed
     * entry throws, naming it (the option holds no secret).
     */
    static WebhookDestinations parse(String option) {
        if (option == null || option.isBlank()) {
            return NONE;
        }
        List<Cidr> ranges = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        String[] entries = option.strip().split("[,\\s]+");
        if (entries.length > MAX_ENTRIES) {
            throw new IllegalArgumentException("audit webhooks: webhook-allowed-destinations has more than "
                    + MAX_ENTRIES + " entries");
        }
        for (String entry : entries) {
            if (entry.isEmpty()) {
                continue;
            }
            String e = entry.toLowerCase(Locale.ROOT);
            if (e.contains("/") || e.contains(":") || looksNumeric(e)) {
                try {
                    ranges.add(Cidr.parse(e));
                } catch (IllegalArgumentException ex) {
                    throw bad(entry, ex.getMessage());
                }
            } else {
                String host = normalizeHost(e);
                if (!validHostName(host)) {
                    throw bad(entry, "not an address, a CIDR range or a host name");
                }
                hosts.add(host);
            }
        }
        return new WebhookDestinations(ranges, Set.copyOf(hosts));
    }

    private static IllegalArgumentException bad(String entry, String why) {
        String shown = entry.length() > 100 ? entry.substring(0, 100) + "..." : entry;
        shown = shown.replaceAll("\\p{Cntrl}", "?");
        return new IllegalArgumentException("audit webhooks: webhook-allowed-destinations entry '" + shown + "': "
                + why);
    }

    /** Digits and dots only: an address (strictly checked), never a host name (no all-numeric top label). */
    private static boolean looksNumeric(String e) {
        return e.chars().allMatch(ch -> ch == '.' || (ch >= '0' && ch <= '9'));
    }

    private static boolean validHostName(String host) {
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        String[] labels = host.split("\\.", -1);
        for (String l : labels) {
            if (!LABEL.matcher(l).matches()) {
                return false;
            }
        }
        return !labels[labels.length - 1].chars().allMatch(Character::isDigit);
    }

    /** Lower case, without the brackets of an IPv6 literal and without one trailing dot. */
    static String normalizeHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    @Override
    public String toString() {
        List<String> all = new ArrayList<>();
        for (Cidr c : allowedRanges) {
            all.add(c.toString());
        }
        all.addAll(allowedHosts.stream().sorted().toList());
        return String.join(",", all);
    }

    boolean allowsInternal() {
        return !allowedRanges.isEmpty() || !allowedHosts.isEmpty();
    }

    /**
     * Whether a delivery to {@code host} (as {@link java.net.URI#getHost} gives it) may go out now: resolves it
     * the way the HTTP client does and refuses if any address is internal and not allowed. A host name on the
     * allow-list is allowed whatever it resolves to (the operator vouches for its DNS), but it must resolve.
     */
    Verdict check(String host, Resolver resolver) {
        if (host == null || host.isEmpty()) {
            return Verdict.UNRESOLVED;
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException | SecurityException | IllegalArgumentException e) {
            return Verdict.UNRESOLVED;
        }
        if (addresses == null || addresses.length == 0) {
            return Verdict.UNRESOLVED;
        }
        if (allowedHosts.contains(normalizeHost(host))) {
            return Verdict.ALLOWED;
        }
        for (InetAddress a : addresses) {
            if (internal(a) && !allowedRange(a)) {
                return Verdict.INTERNAL;
            }
        }
        return Verdict.ALLOWED;
    }

    private boolean allowedRange(InetAddress a) {
        Inet4Address embedded = embeddedIpv4(a);
        for (Cidr c : allowedRanges) {
            if (c.contains(a) || (embedded != null && c.contains(embedded))) {
                return true;
            }
        }
        return false;
    }

    /** Not a globally reachable unicast address (see {@link #INTERNAL}); IPv6 forms embedding IPv4 by that IPv4. */
    static boolean internal(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        for (Cidr c : INTERNAL) {
            if (c.contains(a)) {
                return true;
            }
        }
        Inet4Address embedded = embeddedIpv4(a);
        return embedded != null && internal(embedded);
    }

    /**
     * The IPv4 address an IPv6 address stands for: IPv4-mapped {@code ::ffff:a.b.c.d} (Java usually returns
     * those as IPv4 already), IPv4-compatible {@code ::a.b.c.d}, well-known NAT64 {@code 64:ff9b::a.b.c.d} and
     * 6to4 {@code 2002:aabb:ccdd::}; null for others.
     */
    static Inet4Address embeddedIpv4(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return null;
        }
        byte[] b = a.getAddress();
        int offset = -1;
        if (zero(b, 0, 10) && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
            offset = 12; // mapped or compatible (:: and ::1 are in the table above)
        } else if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b && zero(b, 4, 12)) {
            offset = 12;
        } else if (b[0] == 0x20 && b[1] == 0x02) {
            offset = 2;
        }
        if (offset < 0) {
            return null;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {b[offset], b[offset + 1], b[offset + 2],
                b[offset + 3]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an IPv4 address
        }
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** An address range; parsing never touches DNS. */
    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String s) {
            int slash = s.indexOf('/');
            String addr = slash < 0 ? s : s.substring(0, slash);
            byte[] bytes = literal(addr);
            int max = bytes.length * 8;
            int prefix = max;
            if (slash >= 0) {
                String p = s.substring(slash + 1);
                if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > max) {
                    throw new IllegalArgumentException("prefix length must be 0 to " + max);
                }
                prefix = Integer.parseInt(p);
            }
            for (int i = prefix; i < max; i++) {
                if ((bytes[i / 8] & (0x80 >> (i % 8))) != 0) {
                    throw new IllegalArgumentException("address has bits set beyond the /" + prefix
                            + " (did you mean /" + max + "?)");
                }
            }
            return new Cidr(bytes, prefix);
        }

        /**
         * Strict literals only: IPv4 as four decimal numbers 0-255 without leading zeros (no {@code 127.1},
         * {@code 0177.0.0.1} or {@code 2130706433}, which different tools read differently), IPv6 as Java
         * parses it (no zone).
         */
        private static byte[] literal(String addr) {
            if (addr.contains(":")) {
                String a = addr.startsWith("[") && addr.endsWith("]") ? addr.substring(1, addr.length() - 1) : addr;
                if (a.contains("%") || !a.matches("[0-9a-fA-F:.]+")) {
                    throw new IllegalArgumentException("not an IPv6 address");
                }
                try {
                    // A literal with ':' is parsed, never looked up; mapped addresses come back as IPv4, so
                    // ::ffff:10.0.0.1 and 10.0.0.1 mean the same.
                    byte[] b = InetAddress.getByName(a).getAddress();
                    return b;
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("not an IPv6 address");
                }
            }
            String[] parts = addr.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("not an IPv4 address (four decimal numbers)");
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                String p = parts[i];
                if (!p.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(p) > 255) {
                    throw new IllegalArgumentException("not an IPv4 address (four decimal numbers 0-255)");
                }
                b[i] = (byte) Integer.parseInt(p);
            }
            return b;
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (b[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (b[full] & mask) == (network[full] & mask);
        }
    }
}
