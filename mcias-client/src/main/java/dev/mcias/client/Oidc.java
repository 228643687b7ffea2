package dev.mcias.client;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** The realm's OIDC endpoints the CLI and jobs use: device, refresh and client-credentials grants, revocation. */
public final class Oidc {

    private final Http http;
    private final String realmUrl;

    public Oidc(Http http, String serverUrl, String realm) {
        this.http = http;
        this.realmUrl = stripSlash(serverUrl) + "/realms/" + Http.segment(realm);
    }

    /** The URL without a trailing slash. */
    public static String stripSlashPublic(String url) {
        return stripSlash(url);
    }

    static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public String tokenEndpoint() {
        return realmUrl + "/protocol/openid-connect/token";
    }

    public String issuer() {
        return realmUrl;
    }

    /** A started device authorization (RFC 8628 section 3.2); {@code codeVerifier} is the PKCE secret we keep. */
    public record DeviceAuthorization(String deviceCode, String userCode, String verificationUri,
            String verificationUriComplete, long expiresIn, long interval, String codeVerifier) {

        @Override
        public String toString() {
            return "DeviceAuthorization[userCode=" + userCode + ", verificationUri=" + verificationUri + "]";
        }
    }

    /** Starts a device authorization for a public client, with PKCE S256 (the realm wants it for public clients). */
    public DeviceAuthorization startDeviceAuthorization(String clientId, String scope) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", clientId);
        form.put("scope", scope);
        form.put("code_challenge", s256(verifier));
        form.put("code_challenge_method", "S256");
        JsonNode n = http.send("POST", realmUrl + "/protocol/openid-connect/auth/device", null,
                "application/x-www-form-urlencoded", Http.form(form)).json();
        return new DeviceAuthorization(n.path("device_code").asText(), n.path("user_code").asText(),
                n.path("verification_uri").asText(), n.path("verification_uri_complete").asText(null),
                n.path("expires_in").asLong(600), Math.max(1, n.path("interval").asLong(5)), verifier);
    }

    /** Thrown while polling when the user denied, or the device code expired. */
    public static final class DeviceFlowException extends ApiException {
        private static final long serialVersionUID = 1L;

        public DeviceFlowException(int status, String error, String description) {
            super(status, error, description);
        }
    }

    /**
     * Polls the token endpoint at the server's interval (slowing down when told) until the user approves, denies
     * or the code expires.
     */
    public TokenResponse awaitDeviceToken(String clientId, DeviceAuthorization auth, Clock clock) {
        Instant deadline = clock.instant().plusSeconds(auth.expiresIn());
        long interval = auth.interval();
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "urn:ietf:params:oauth:grant-type:device_code");
        form.put("client_id", clientId);
        form.put("device_code", auth.deviceCode());
        form.put("code_verifier", auth.codeVerifier());
        while (true) {
            Http.Response r = http.exchange("POST", tokenEndpoint(), null, "application/x-www-form-urlencoded",
                    Http.form(form));
            if (r.status() == 200) {
                return TokenResponse.fromJson(r.json());
            }
            ApiException e = Http.error(r.status(), r.body());
            String code = e.error() == null ? "" : e.error();
            switch (code) {
                case "authorization_pending" -> { }
                case "slow_down" -> interval += 5;
                case "access_denied" -> throw new DeviceFlowException(r.status(), code, "the sign-in was denied");
                case "expired_token" -> throw new DeviceFlowException(r.status(), code,
                        "the device code expired before the sign-in; run login again");
                default -> throw e;
            }
            if (!clock.instant().isBefore(deadline)) {
                throw new DeviceFlowException(400, "expired_token", "the device code expired before the sign-in; run login again");
            }
            try {
                Thread.sleep(Duration.ofSeconds(interval).toMillis());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new ApiException(0, "interrupted", "login interrupted");
            }
        }
    }

    /** refresh_token grant for a public client; the realm rotates refresh tokens, so keep the new one. */
    public TokenResponse refresh(String clientId, String refreshToken) {
        return TokenResponse.fromJson(http.send("POST", tokenEndpoint(), null, "application/x-www-form-urlencoded",
                Http.form(Map.of("grant_type", "refresh_token", "client_id", clientId, "refresh_token", refreshToken)))
                .json());
    }

    /** Revokes a refresh token (RFC 7009); this ends the session it belongs to. */
    public void revoke(String clientId, String refreshToken) {
        http.send("POST", realmUrl + "/protocol/openid-connect/revoke", null, "application/x-www-form-urlencoded",
                Http.form(Map.of("client_id", clientId, "token", refreshToken, "token_type_hint", "refresh_token")));
    }

    /** client_credentials with HTTP Basic (a system account: name and its MCIAS token). */
    public TokenResponse clientCredentials(String clientId, String secret, String scope) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("scope", scope);
        return TokenResponse.fromJson(http.send("POST", tokenEndpoint(), Http.basic(clientId, secret),
                "application/x-www-form-urlencoded", Http.form(form)).json());
    }

    /** password grant (admin-cli of realm master, for {@code mciasctl bootstrap}). */
    public TokenResponse password(String clientId, String username, String password) {
        return TokenResponse.fromJson(http.send("POST", tokenEndpoint(), null, "application/x-www-form-urlencoded",
                Http.form(Map.of("grant_type", "password", "client_id", clientId, "username", username,
                        "password", password))).json());
    }

    static String s256(String verifier) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The claims of a JWT, unverified (for display only: user name, expiry). */
    public static JsonNode claims(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            return Json.MAPPER.createObjectNode();
        }
        return Json.parse(new String(Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8));
    }
}
