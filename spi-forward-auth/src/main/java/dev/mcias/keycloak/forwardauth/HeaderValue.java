package dev.mcias.keycloak.forwardauth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Identity header values: printable ASCII as it is, everything else (non-ASCII, control characters, {@code %})
 * percent-encoded as UTF-8, so a name can never break a header line or smuggle another header. In a group name
 * the comma is encoded too, since {@code Remote-Groups} is a comma-separated list.
 */
final class HeaderValue {

    private HeaderValue() {
    }

    static String encode(String value, boolean listItem) {
        if (value == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 0x20 || c >= 0x7f || c == '%' || (listItem && c == ',')) {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
