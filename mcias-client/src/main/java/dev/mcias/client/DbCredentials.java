package dev.mcias.client;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * PostgreSQL credentials as {@code GET /db-credentials/{account}} returns them, with the forms programs take:
 * a JDBC URL, a libpq URI, {@code PG*} environment variables and a {@code .pgpass} line. {@link #toString()}
 * never shows the password.
 */
public record DbCredentials(String mode, String host, int port, String database, String username,
        String password, String sslmode, String options, Instant expiresAt) {

    public static DbCredentials fromJson(JsonNode n) {
        String exp = text(n, "expires_at");
        return new DbCredentials(text(n, "mode"), text(n, "host"), n.path("port").asInt(5432), text(n, "database"),
                text(n, "username"), text(n, "password"), text(n, "sslmode"), text(n, "options"),
                exp == null ? null : Instant.parse(exp));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** {@code jdbc:postgresql://host:port/db?user=...&password=...&sslmode=...} (pgJDBC's parameter names). */
    public String jdbcUrl() {
        StringBuilder b = new StringBuilder("jdbc:postgresql://").append(hostPart()).append(':').append(port)
                .append('/').append(pct(database)).append("?user=").append(pct(username))
                .append("&password=").append(pct(password));
        if (sslmode != null) {
            b.append("&sslmode=").append(pct(sslmode));
        }
        if (options != null && !options.isEmpty()) {
            b.append("&options=").append(pct(options));
        }
        return b.toString();
    }

    /** libpq connection URI: {@code postgresql://user:password@host:port/db?sslmode=...}. */
    public String uri() {
        StringBuilder b = new StringBuilder("postgresql://").append(pct(username)).append(':').append(pct(password))
                .append('@').append(hostPart()).append(':').append(port).append('/').append(pct(database));
        String sep = "?";
        if (sslmode != null) {
            b.append(sep).append("sslmode=").append(pct(sslmode));
            sep = "&";
        }
        if (options != null && !options.isEmpty()) {
            b.append(sep).append("options=").append(pct(options));
        }
        return b.toString();
    }

    /** The libpq environment: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE (and PGOPTIONS). */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", host);
        env.put("PGPORT", Integer.toString(port));
        env.put("PGUSER", username);
        env.put("PGPASSWORD", password);
        env.put("PGDATABASE", database);
        if (sslmode != null) {
            env.put("PGSSLMODE", sslmode);
        }
        if (options != null && !options.isEmpty()) {
            env.put("PGOPTIONS", options);
        }
        return env;
    }

    /** {@code export NAME='value'} lines for a POSIX shell, values single-quoted. */
    public String shellExports() {
        StringBuilder b = new StringBuilder();
        environment().forEach((k, v) -> b.append("export ").append(k).append('=').append(shellQuote(v)).append('\n'));
        return b.toString();
    }

    /** One {@code .pgpass} line, {@code host:port:database:username:password}, with ':' and '\' escaped. */
    public String pgpassLine() {
        return String.join(":", pgpass(host), Integer.toString(port), pgpass(database), pgpass(username),
                pgpass(password));
    }

    /** The fields as the server named them (for {@code -o json}); includes the password. */
    public Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("host", host);
        m.put("port", port);
        m.put("database", database);
        m.put("username", username);
        m.put("password", password);
        m.put("sslmode", sslmode);
        if (options != null) {
            m.put("options", options);
        }
        if (expiresAt != null) {
            m.put("expires_at", expiresAt.toString());
        }
        return m;
    }

    @Override
    public String toString() {
        return "DbCredentials[mode=" + mode + ", host=" + host + ", port=" + port + ", database=" + database
                + ", username=" + username + ", password=***, sslmode=" + sslmode + ", options=" + options
                + ", expiresAt=" + expiresAt + "]";
    }

    private String hostPart() {
        return host != null && host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    static String shellQuote(String v) {
        return "'" + v.replace("'", "'\\''") + "'";
    }

    private static String pgpass(String v) {
        return v.replace("\\", "\\\\").replace(":", "\\:");
    }

    /** Percent-encoding of everything but RFC 3986 unreserved characters (a space is %20, never '+'). */
    static String pct(String v) {
        StringBuilder b = new StringBuilder();
        for (byte c : v.getBytes(StandardCharsets.UTF_8)) {
            int u = c & 0xff;
            if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' || u == '.'
                    || u == '_' || u == '~') {
                b.append((char) u);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(u >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(u & 0xf, 16)));
            }
        }
        return b.toString();
    }
}
