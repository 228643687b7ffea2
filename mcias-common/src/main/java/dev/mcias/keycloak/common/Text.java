package dev.mcias.keycloak.common;

/** Checks for free text we store (descriptions, notes) and for echoing user input in error messages. */
public final class Text {

    private Text() {
    }

    /**
     * Whether {@code s} is plain text: no control characters (NUL included; PostgreSQL refuses it in text
     * columns while H2 stores it, so both databases must see it refused here), no bidirectional overrides or
     * isolates (they make text display differently from what it is), no unpaired surrogates, no noncharacters.
     */
    public static boolean isPlain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || isBidiControl(c) || c == '\uFFFE' || c == '\uFFFF') {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBidiControl(char c) {
        return c == '\u061C' || c == '\u200E' || c == '\u200F' || (c >= '\u202A' && c <= '\u202E')
                || (c >= '\u2066' && c <= '\u2069');
    }

    /** Echo of user input in messages: bounded and printable ASCII only. */
    public static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
