package dev.mcias.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The MCIAS APIs of one realm ({@code /realms/{realm}/system-accounts}, {@code /db-credentials}, {@code /audit})
 * and Keycloak's admin API for it ({@code /admin/realms/{realm}}), with tokens from a {@link TokenSource}.
 * Answers are Jackson trees, so fields a newer server adds pass through.
 *
 * <pre>{@code
 * var http = new Http();
 * var tokens = new SystemAccountTokens(http, "https://id.example.org", "mcias", "billing",
 *         Path.of("/run/secrets/billing.token"), Clock.systemUTC());
 * var client = new MciasClient(http, "https://id.example.org", "mcias", tokens);
 * DbCredentials db = client.dbCredentials("billing");
 * try (Connection c = DriverManager.getConnection(db.jdbcUrl())) { ... }
 * }</pre>
 */
public final class MciasClient {

    private final Http http;
    private final String server;
    private final String realm;
    private final TokenSource tokens;

    public MciasClient(Http http, String server, String realm, TokenSource tokens) {
        this.http = http;
        this.server = Oidc.stripSlash(server);
        this.realm = realm;
        this.tokens = tokens;
    }

    public String server() {
        return server;
    }

    public String realm() {
        return realm;
    }

    public String realmUrl(String path) {
        return server + "/realms/" + Http.segment(realm) + path;
    }

    public String adminUrl(String path) {
        return server + "/admin/realms/" + Http.segment(realm) + path;
    }

    private JsonNode call(String method, String url, Object body) {
        String json = body == null ? null : body instanceof String s ? s : Json.write(body);
        return http.send(method, url, Http.bearer(tokens.accessToken()), json == null ? null : "application/json", json)
                .json();
    }

    private static String seg(String s) {
        return Http.segment(s);
    }

    // ---- system accounts

    public JsonNode listAccounts() {
        return call("GET", realmUrl("/system-accounts"), null);
    }

    public JsonNode account(String name) {
        return call("GET", realmUrl("/system-accounts/" + seg(name)), null);
    }

    public JsonNode createAccount(String name, String description, Integer tokenTtlSeconds) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        if (description != null) {
            body.put("description", description);
        }
        if (tokenTtlSeconds != null) {
            body.put("token_ttl", tokenTtlSeconds);
        }
        return call("POST", realmUrl("/system-accounts"), body);
    }

    public void deleteAccount(String name) {
        call("DELETE", realmUrl("/system-accounts/" + seg(name)), null);
    }

    /** Issues a new token: the answer carries it ({@code token}), shown once; the old token stops working. */
    public JsonNode issueToken(String name) {
        return call("POST", realmUrl("/system-accounts/" + seg(name) + "/token"), null);
    }

    public void revokeToken(String name) {
        call("DELETE", realmUrl("/system-accounts/" + seg(name) + "/token"), null);
    }

    // ---- invites

    /**
     * Creates an invite ({@code username}, {@code email}, {@code roles}, {@code app}, {@code expires_in},
     * {@code note}, {@code send_email} as docs/api.md lists); the answer carries the link, shown once.
     */
    public JsonNode createInvite(Map<String, Object> invite) {
        return call("POST", realmUrl("/invites"), invite);
    }

    public JsonNode listInvites() {
        return call("GET", realmUrl("/invites"), null);
    }

    public JsonNode invite(String id) {
        return call("GET", realmUrl("/invites/" + seg(id)), null);
    }

    public void revokeInvite(String id) {
        call("DELETE", realmUrl("/invites/" + seg(id)), null);
    }

    // ---- database credentials

    public DbCredentials dbCredentials(String account) {
        return DbCredentials.fromJson(dbCredentialsJson(account));
    }

    public JsonNode dbCredentialsJson(String account) {
        return call("GET", realmUrl("/db-credentials/" + seg(account)), null);
    }

    /** Stores settings and secret ({@code mode}, {@code host}, ... as docs/api.md lists); answers without password. */
    public JsonNode putDbCredentials(String account, Map<String, Object> settings) {
        return call("PUT", realmUrl("/db-credentials/" + seg(account)), settings);
    }

    public void deleteDbCredentials(String account) {
        call("DELETE", realmUrl("/db-credentials/" + seg(account)), null);
    }

    public JsonNode rotateDbCredentialKeys() {
        return call("POST", realmUrl("/db-credentials/-/rotate-keys"), null);
    }

    // ---- audit

    public JsonNode auditEvents(Map<String, String> filters) {
        return call("GET", realmUrl("/audit/events" + query(filters)), null);
    }

    /** Streams {@code /audit/export?format=ndjson} (oldest first) to {@code out}; returns the bytes copied. */
    public long exportAudit(Map<String, String> filters, OutputStream out) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("format", "ndjson");
        q.putAll(filters);
        try (InputStream in = http.stream(realmUrl("/audit/export" + query(q)), Http.bearer(tokens.accessToken()))) {
            return in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("audit export interrupted: " + e.getMessage(), e);
        }
    }

    public JsonNode verifyAudit() {
        return call("GET", realmUrl("/audit/verify"), null);
    }

    // ---- Keycloak admin API of the realm

    public JsonNode admin(String method, String path, Object body) {
        return call(method, adminUrl(path), body);
    }

    public static String query(Map<String, String> params) {
        StringJoiner j = new StringJoiner("&", "?", "");
        j.setEmptyValue("");
        params.forEach((k, v) -> {
            if (v != null) {
                j.add(Http.form(k) + "=" + Http.form(v));
            }
        });
        return j.toString();
    }
}
