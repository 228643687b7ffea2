package dev.mcias.keycloak.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Plain HTTP access to a test server: admin REST, OIDC endpoints and our resources. */
public final class KeycloakApi {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final KeycloakServer server;
    private final HttpClient http;

    public KeycloakApi(KeycloakServer server) {
        this(server, HttpClient.newBuilder());
    }

    /** With a client of the caller's making, e.g. one that trusts a test server's TLS certificate. */
    public KeycloakApi(KeycloakServer server, HttpClient.Builder client) {
        this.server = server;
        this.http = client.connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public KeycloakServer server() {
        return server;
    }

    public String url(String path) {
        return server.baseUrl() + path;
    }

    public String realmUrl(String path) {
        return url("/realms/" + KeycloakServer.REALM + path);
    }

    public String adminRealmUrl(String path) {
        return url("/admin/realms/" + KeycloakServer.REALM + path);
    }

    /** A fresh master-realm admin access token (they live 60 s, so no caching). */
    public String adminToken() {
        Response r = postForm(url("/realms/master/protocol/openid-connect/token"), null, Map.of(
                "grant_type", "password", "client_id", "admin-cli",
                "username", server.adminUsername(), "password", server.adminPassword()));
        r.expect(200);
        return r.json().path("access_token").asText();
    }

    public Response get(String url, String bearer) {
        return send("GET", url, bearer, null, null);
    }

    public Response postJson(String url, String bearer, Object body) {
        return send("POST", url, bearer, "application/json", toJson(body));
    }

    public Response putJson(String url, String bearer, Object body) {
        return send("PUT", url, bearer, "application/json", toJson(body));
    }

    public Response delete(String url, String bearer) {
        return send("DELETE", url, bearer, null, null);
    }

    public Response postForm(String url, String basicAuth, Map<String, String> form) {
        return postForm(url, basicAuth, form, Map.of());
    }

    private Response postForm(String url, String basicAuth, Map<String, String> form, Map<String, String> extra) {
        String body = form.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        if (basicAuth != null) {
            headers.put("Authorization", "Basic " + basicAuth);
        }
        headers.putAll(extra);
        return send("POST", url, headers, body);
    }

    /** client_credentials at the realm's token endpoint with HTTP Basic authentication. */
    public Response clientCredentials(String clientId, String secret, String scope) {
        return clientCredentials(clientId, secret, scope, Map.of());
    }

    /** The same, with extra request headers (e.g. a User-Agent). */
    public Response clientCredentials(String clientId, String secret, String scope, Map<String, String> headers) {
        String basic = java.util.Base64.getEncoder().encodeToString((clientId + ":" + secret)
                .getBytes(StandardCharsets.UTF_8));
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        if (scope != null) {
            form.put("scope", scope);
        }
        return postForm(realmUrl("/protocol/openid-connect/token"), basic, form, headers);
    }

    public Response send(String method, String url, String bearer, String contentType, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (bearer != null) {
            headers.put("Authorization", "Bearer " + bearer);
        }
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        return send(method, url, headers, body);
    }

    public Response send(String method, String url, Map<String, String> headers, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + url + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String toJson(Object body) {
        if (body == null || body instanceof String) {
            return (String) body;
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Status, headers and body of one HTTP exchange. */
    public record Response(int status, HttpHeaders headers, String body) {

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (status " + status + "): " + body, e);
            }
        }

        public Response expect(int expected) {
            if (status != expected) {
                throw new AssertionError("expected HTTP " + expected + " but got " + status + ": " + body);
            }
            return this;
        }
    }
}
