package dev.mcias.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.databind.JsonNode;

/** The HTTP exchange every call shares: JSON and forms in, JSON out, server errors as {@link ApiException}. */
public final class Http {

    private final HttpClient client;

    public Http() {
        this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build());
    }

    public Http(HttpClient client) {
        this.client = client;
    }

    /** Status and body of one exchange. */
    public record Response(int status, String body) {
        public JsonNode json() {
            return body == null || body.isBlank() ? Json.MAPPER.nullNode() : Json.parse(body);
        }
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }

    public static String basic(String user, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((form(user) + ":" + form(secret))
                .getBytes(StandardCharsets.UTF_8));
    }

    /** application/x-www-form-urlencoded body. */
    public static String form(Map<String, String> fields) {
        StringJoiner j = new StringJoiner("&");
        fields.forEach((k, v) -> {
            if (v != null) {
                j.add(form(k) + "=" + form(v));
            }
        });
        return j.toString();
    }

    static String form(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Percent-encoded path segment. */
    public static String segment(String s) {
        if (s.isEmpty() || s.equals(".") || s.equals("..")) {
            // never an empty, "current" or "parent" path segment
            return s.isEmpty() ? "%20" : s.replace(".", "%2E");
        }
        return DbCredentials.pct(s);
    }

    /** Sends and returns the answer whatever its status. */
    public Response exchange(String method, String url, String authorization, String contentType, String body) {
        HttpRequest req = request(method, url, authorization, contentType, body);
        try {
            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw unreachable(url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "interrupted", "interrupted");
        }
    }

    /** Sends and returns the answer of a 2xx status; any other status throws {@link ApiException}. */
    public Response send(String method, String url, String authorization, String contentType, String body) {
        Response r = exchange(method, url, authorization, contentType, body);
        if (r.status() / 100 != 2) {
            throw error(r.status(), r.body());
        }
        return r;
    }

    /** Streams a 2xx answer's body; any other status throws {@link ApiException}. The caller closes the stream. */
    public InputStream stream(String url, String authorization) {
        HttpRequest req = request("GET", url, authorization, null, null);
        try {
            HttpResponse<InputStream> r = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() / 100 != 2) {
                String body;
                try (InputStream in = r.body()) {
                    body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                }
                throw error(r.statusCode(), body);
            }
            return r.body();
        } catch (IOException e) {
            throw unreachable(url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "interrupted", "interrupted");
        }
    }

    private static HttpRequest request(String method, String url, String authorization, String contentType,
            String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return b.build();
    }

    private static ApiException unreachable(String url, IOException e) {
        URI u = URI.create(url);
        String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ApiException(0, "connection_failed", "cannot reach " + u.getScheme() + "://" + u.getAuthority()
                + ": " + what);
    }

    /** The server's error body as an exception: OAuth/MCIAS {@code error}, Keycloak's {@code errorMessage}. */
    static ApiException error(int status, String body) {
        String error = null;
        String description = null;
        if (body != null && !body.isBlank()) {
            try {
                JsonNode n = Json.MAPPER.readTree(body);
                if (n != null && n.isObject()) {
                    error = textOrNull(n.get("error"));
                    description = textOrNull(n.get("error_description"));
                    if (description == null) {
                        description = textOrNull(n.get("errorMessage"));
                    }
                }
            } catch (IOException notJson) {
                // an HTML error page: the status says enough
            }
        }
        if (error == null && description == null) {
            description = "HTTP " + status + switch (status) {
                case 401 -> " (not authenticated)";
                case 403 -> " (forbidden)";
                case 404 -> " (not found)";
                case 409 -> " (conflict)";
                default -> "";
            };
        }
        return new ApiException(status, error, description);
    }

    private static String textOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }
}
