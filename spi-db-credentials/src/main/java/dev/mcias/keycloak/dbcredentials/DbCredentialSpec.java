package dev.mcias.keycloak.dbcredentials;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mcias.keycloak.common.Text;

/**
 * A validated PUT body. Identifiers (database, user, group role) are limited to a conservative character set
 * and are quoted anyway wherever they reach SQL; nothing user-supplied is ever concatenated into SQL unquoted.
 */
public record DbCredentialSpec(DbCredentialMode mode, String host, int port, String database, String username,
                               String password, String sslmode, String options, String groupRole, Long ttlSeconds) {

    public static final Set<String> SSLMODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");
    static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
    static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    static final Pattern OPTIONS = Pattern.compile("[A-Za-z0-9 _=.,:/+-]{0,512}");
    static final Set<String> STATIC_FIELDS = Set.of("mode", "host", "port", "database", "username", "password",
            "sslmode", "options");
    static final Set<String> DYNAMIC_FIELDS = Set.of("mode", "host", "port", "database", "username", "password",
            "sslmode", "options", "group_role", "ttl_seconds");
    public static final long MIN_TTL = 10;
    public static final long MAX_TTL = 7 * 24 * 3600;
    public static final long DEFAULT_TTL = 3600;

    /** Longest password, in UTF-8 bytes (the stored ciphertext column is sized for it). */
    public static final int MAX_PASSWORD_BYTES = 1024;

    /** Never the password. */
    @Override
    public String toString() {
        return "DbCredentialSpec[mode=" + mode + ", host=" + host + ", port=" + port + ", database=" + database
                + ", username=" + username + ", sslmode=" + sslmode + ", groupRole=" + groupRole + "]";
    }

    public boolean dynamic() {
        return mode == DbCredentialMode.DYNAMIC;
    }

    /** Validates a PUT body; messages never contain the password. */
    public static DbCredentialSpec parse(JsonNode json) throws Invalid {
        if (json == null || !json.isObject()) {
            throw new Invalid("body must be a JSON object");
        }
        String modeText = text(json, "mode", true);
        if (!"static".equals(modeText) && !"dynamic".equals(modeText)) {
            throw new Invalid("mode must be static or dynamic");
        }
        DbCredentialMode mode = DbCredentialMode.of(modeText);
        Set<String> allowed = mode == DbCredentialMode.DYNAMIC ? DYNAMIC_FIELDS : STATIC_FIELDS;
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new Invalid("unknown field for " + mode + " mode: " + Text.printable(f));
            }
        }
        String host = text(json, "host", true);
        if (!HOST.matcher(host).matches()) {
            throw new Invalid("host must be a hostname or IPv4 address");
        }
        int port = 5432;
        if (json.has("port")) {
            JsonNode p = json.get("port");
            if (!p.isInt() || p.asInt() < 1 || p.asInt() > 65535) {
                throw new Invalid("port must be an integer from 1 to 65535");
            }
            port = p.asInt();
        }
        String database = identifier(json, "database", true);
        String username = identifier(json, "username", true);
        String password = text(json, "password", true);
        if (password.isEmpty() || password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES
                || password.indexOf('\0') >= 0) {
            throw new Invalid("password must be 1 to " + MAX_PASSWORD_BYTES + " bytes in UTF-8 (1024 ASCII characters)");
        }
        String sslmode = json.has("sslmode") ? text(json, "sslmode", true) : "require";
        if (!SSLMODES.contains(sslmode)) {
            throw new Invalid("sslmode must be one of " + SSLMODES);
        }
        String options = json.has("options") ? text(json, "options", false) : null;
        if (options != null && !OPTIONS.matcher(options).matches()) {
            throw new Invalid("options may hold at most 512 of: letters, digits, space and _=.,:/+-");
        }
        String group = null;
        Long ttl = null;
        if (mode == DbCredentialMode.DYNAMIC) {
            group = identifier(json, "group_role", true);
            ttl = DEFAULT_TTL;
            if (json.has("ttl_seconds")) {
                JsonNode t = json.get("ttl_seconds");
                if (!t.isIntegralNumber() || !t.canConvertToLong() || t.asLong() < MIN_TTL || t.asLong() > MAX_TTL) {
                    throw new Invalid("ttl_seconds must be whole seconds from " + MIN_TTL + " to " + MAX_TTL);
                }
                ttl = t.asLong();
            }
        }
        return new DbCredentialSpec(mode, host, port, database, username, password, sslmode, options, group, ttl);
    }

    private static String text(JsonNode json, String field, boolean required) throws Invalid {
        JsonNode n = json.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new Invalid(field + " is required");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new Invalid(field + " must be a string");
        }
        return n.asText();
    }

    private static String identifier(JsonNode json, String field, boolean required) throws Invalid {
        String s = text(json, field, required);
        if (s != null && !IDENTIFIER.matcher(s).matches()) {
            throw new Invalid(field + " must be 1-63 characters: a letter or _, then letters, digits or _");
        }
        return s;
    }

    public static final class Invalid extends Exception {
        public Invalid(String message) {
            super(message);
        }
    }
}
