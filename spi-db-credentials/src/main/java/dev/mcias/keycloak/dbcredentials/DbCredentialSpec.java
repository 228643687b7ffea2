package dev.mcias.keycloak.dbcredentials;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.mcias.keycloak.common.Errors;
import dev.mcias.keycloak.common.JsonBodies;

/**
 * A PUT body; a null is an absent field. In what {@link #parse} returns, {@code port} and {@code sslmode} (and in
 * dynamic mode {@code ttlSeconds}) hold their defaults. Identifiers (database, user, group
 * role) are limited to a conservative character set and are quoted anyway wherever they reach SQL; nothing
 * user-supplied is ever concatenated into SQL unquoted. Messages name fields, never the password.
 */
public record DbCredentialSpec(
        // An unknown mode binds as null, so that it gets the rule's message rather than "wrong type".
        @JsonFormat(with = JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL) DbCredentialMode mode,
        String host, Integer port, String database, String username, String password, String sslmode,
        String options, @JsonProperty("group_role") String groupRole, @JsonProperty("ttl_seconds") Long ttlSeconds) {

    public static final Set<String> SSLMODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");
    static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
    static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    static final Pattern OPTIONS = Pattern.compile("[A-Za-z0-9 _=.,:/+-]{0,512}");
    public static final long MIN_TTL = 10;
    public static final long MAX_TTL = 7 * 24 * 3600;
    public static final long DEFAULT_TTL = 3600;
    static final int MAX_BODY_BYTES = 4096;

    /** Longest password, in UTF-8 bytes (the stored ciphertext column is sized for it). */
    public static final int MAX_PASSWORD_BYTES = 1024;

    /** Reads and validates a PUT body. */
    public static DbCredentialSpec parse(InputStream body) throws Errors.BadRequest {
        return JsonBodies.read(body, MAX_BODY_BYTES, DbCredentialSpec.class).validated();
    }

    /** This body checked, with its defaults. */
    private DbCredentialSpec validated() throws Errors.BadRequest {
        if (mode != DbCredentialMode.STATIC && mode != DbCredentialMode.DYNAMIC) {
            throw new Errors.BadRequest("mode must be static or dynamic");
        }
        if (!dynamic() && (groupRole != null || ttlSeconds != null)) {
            throw new Errors.BadRequest("unknown field for static mode: "
                    + (groupRole != null ? "group_role" : "ttl_seconds"));
        }
        if (!HOST.matcher(required(host, "host")).matches()) {
            throw new Errors.BadRequest("host must be a hostname or IPv4 address");
        }
        int p = port == null ? 5432 : port;
        if (p < 1 || p > 65535) {
            throw new Errors.BadRequest("port must be an integer from 1 to 65535");
        }
        identifier(database, "database");
        identifier(username, "username");
        if (required(password, "password").isEmpty() || password.indexOf('\0') >= 0
                || password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw new Errors.BadRequest("password must be 1 to " + MAX_PASSWORD_BYTES
                    + " bytes in UTF-8 (1024 ASCII characters)");
        }
        String ssl = sslmode == null ? "require" : sslmode;
        if (!SSLMODES.contains(ssl)) {
            throw new Errors.BadRequest("sslmode must be one of " + SSLMODES);
        }
        if (options != null && !OPTIONS.matcher(options).matches()) {
            throw new Errors.BadRequest("options may hold at most 512 of: letters, digits, space and _=.,:/+-");
        }
        Long ttl = null;
        if (dynamic()) {
            identifier(groupRole, "group_role");
            ttl = ttlSeconds == null ? DEFAULT_TTL : ttlSeconds;
            if (ttl < MIN_TTL || ttl > MAX_TTL) {
                throw new Errors.BadRequest("ttl_seconds must be whole seconds from " + MIN_TTL + " to " + MAX_TTL);
            }
        }
        return new DbCredentialSpec(mode, host, p, database, username, password, ssl, options, groupRole, ttl);
    }

    /** Never the password. */
    @Override
    public String toString() {
        return "DbCredentialSpec[mode=" + mode + ", host=" + host + ", port=" + port + ", database=" + database
                + ", username=" + username + ", sslmode=" + sslmode + ", groupRole=" + groupRole + "]";
    }

    public boolean dynamic() {
        return mode == DbCredentialMode.DYNAMIC;
    }

    private static String required(String value, String field) throws Errors.BadRequest {
        if (value == null) {
            throw new Errors.BadRequest(field + " is required");
        }
        return value;
    }

    private static void identifier(String value, String field) throws Errors.BadRequest {
        if (!IDENTIFIER.matcher(required(value, field)).matches()) {
            throw new Errors.BadRequest(field + " must be 1-63 characters: a letter or _, then letters, digits or _");
        }
    }
}
