package dev.mcias.keycloak.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The login form of the authorization-code flow (with PKCE) driven over plain HTTP: what a browser posts,
 * without a browser. The Chromium tests cover rendering; this covers the server side quickly.
 */
public final class BrowserFormLogin {

    private static final Pattern FORM_ACTION = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"");

    private BrowserFormLogin() {
    }

    /** Result of posting the login form: a redirect carrying a code, or the page shown instead. */
    public record Outcome(int status, String location, String page, String codeVerifier) {
        public boolean gotCode() {
            return status == 302 && location != null && location.contains("code=") && !location.contains("error=");
        }

        /** The authorization code from the redirect. */
        public String code() {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("[?&]code=([^&]+)").matcher(location);
            if (!m.find()) {
                throw new AssertionError("no code in " + location);
            }
            return java.net.URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
        }
    }

    public static Outcome login(KeycloakApi api, String clientId, String redirectUri, String username, String password) {
        byte[] verifier = new byte[32];
        new SecureRandom().nextBytes(verifier);
        String codeVerifier = Base64.getUrlEncoder().withoutPadding().encodeToString(verifier);
        String auth = api.realmUrl("/protocol/openid-connect/auth") + "?client_id=" + enc(clientId)
                + "&response_type=code&scope=openid&redirect_uri=" + enc(redirectUri)
                + "&code_challenge=" + challenge(codeVerifier) + "&code_challenge_method=S256&state=it";
        return loginAt(auth, codeVerifier, username, password);
    }

    /**
     * The login form of a ready authorization URL (one that an app sent the browser to, with its own state and
     * PKCE challenge; {@code codeVerifier} is only carried into the outcome).
     */
    public static Outcome loginAt(String auth, String codeVerifier, String username, String password) {
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(auth)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = FORM_ACTION.matcher(page.body());
            if (page.statusCode() != 200 || !m.find()) {
                throw new AssertionError("no login form (HTTP " + page.statusCode() + ")");
            }
            String action = m.group(1).replace("&amp;", "&");
            // Cookies are replayed by hand: Keycloak marks them Secure/SameSite, which java.net's cookie store
            // will not send back over plain http even to 127.0.0.1, as browsers do for localhost.
            String cookies = page.headers().allValues("Set-Cookie").stream()
                    .map(c -> c.substring(0, c.indexOf(';') < 0 ? c.length() : c.indexOf(';')))
                    .collect(java.util.stream.Collectors.joining("; "));
            String form = "username=" + enc(username) + "&password=" + enc(password) + "&credentialId=";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(action))
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", cookies)
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            return new Outcome(r.statusCode(), r.headers().firstValue("Location").orElse(null), r.body(), codeVerifier);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
