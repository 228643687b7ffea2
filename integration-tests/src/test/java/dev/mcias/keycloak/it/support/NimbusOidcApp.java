package dev.mcias.keycloak.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.AuthenticationErrorResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationResponseParser;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.LogoutTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.LogoutTokenValidator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A web app whose OpenID Connect is the Nimbus OAuth 2.0 SDK's (Maven Central): discovery, the code flow with
 * PKCE S256, state and nonce, the token request with the client secret, ID-token validation against the JWKS
 * for the algorithm the app was registered with, userinfo, refresh and back-channel logout are all the
 * library's; this class only wires them to a JDK HTTP server on 127.0.0.1 and keeps sessions in memory, as a
 * small app would. Its home page shows the user's {@code preferred_username} and {@code email} from userinfo.
 */
public final class NimbusOidcApp implements AutoCloseable {

    static final String COOKIE = "nimbus_app_session";
    static final String LOGIN_COOKIE = "nimbus_app_login";

    record Pending(State state, Nonce nonce, CodeVerifier verifier) {
    }

    /** A signed-in browser. */
    public record AppSession(String subject, String sid, String username, String email, BearerAccessToken access,
                             RefreshToken refresh) {
    }

    private final HttpServer server;
    private final int port;
    private final OIDCProviderMetadata op;
    private final ClientID clientId;
    private final Secret secret;
    private final JWSAlgorithm alg;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, AppSession> sessions = new ConcurrentHashMap<>();
    /** What the app refused, for failure messages and assertions (never tokens). */
    public final List<String> refusals = new CopyOnWriteArrayList<>();
    /** Back-channel logouts the library accepted: their {@code sid}. */
    public final List<String> backchannelLogouts = new CopyOnWriteArrayList<>();

    private NimbusOidcApp(int port, String issuer, String clientId, String secret, String alg) throws Exception {
        this.port = port;
        this.op = OIDCProviderMetadata.resolve(new Issuer(issuer));
        this.clientId = new ClientID(clientId);
        this.secret = new Secret(secret);
        this.alg = JWSAlgorithm.parse(alg);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts the app on {@code port} for the client {@code apps add} registered. */
    public static NimbusOidcApp start(int port, String issuer, String clientId, String secret, String alg) throws Exception {
        return new NimbusOidcApp(port, issuer, clientId, secret, alg);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    URI callback() {
        return URI.create(url("/callback"));
    }

    public int sessionCount() {
        return sessions.size();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/" -> home(ex);
                case "/callback" -> callback(ex);
                case "/refresh" -> refresh(ex);
                case "/backchannel-logout" -> backchannelLogout(ex);
                default -> send(ex, 404, "text/plain", "not found");
            }
        } catch (Exception e) {
            refusals.add(e.getClass().getSimpleName() + ": " + e.getMessage());
            send(ex, 500, "text/plain", "app error");
        }
    }

    private void home(HttpExchange ex) throws IOException {
        AppSession s = session(ex);
        if (s == null) {
            login(ex);
            return;
        }
        send(ex, 200, "text/html; charset=utf-8", """
                <!DOCTYPE html><html><head><meta charset="utf-8"><title>Notes (Nimbus OIDC SDK)</title></head>
                <body style="font-family: sans-serif; margin: 2em"><h1 id="app">Notes</h1>
                <p>A Java app signed in with the Nimbus OAuth 2.0 SDK as <b id="username">%s</b>
                (<span id="email">%s</span>).</p></body></html>
                """.formatted(html(s.username()), html(s.email())));
    }

    private void login(HttpExchange ex) throws IOException {
        Pending p = new Pending(new State(), new Nonce(), new CodeVerifier());
        String key = UUID.randomUUID().toString();
        pending.put(key, p);
        AuthenticationRequest req = new AuthenticationRequest.Builder(new ResponseType("code"),
                new Scope("openid", "profile", "email"), clientId, callback())
                .endpointURI(op.getAuthorizationEndpointURI()).state(p.state()).nonce(p.nonce())
                .codeChallenge(p.verifier(), CodeChallengeMethod.S256).build();
        // The login state is bound to this browser: the callback needs the cookie as well as the state.
        ex.getResponseHeaders().add("Set-Cookie", LOGIN_COOKIE + "=" + key + "; Path=/; HttpOnly; SameSite=Lax");
        ex.getResponseHeaders().add("Location", req.toURI().toString());
        send(ex, 302, "text/plain", "");
    }

    private void callback(HttpExchange ex) throws Exception {
        Pending p = pending.remove(cookie(ex, LOGIN_COOKIE));
        AuthenticationResponse resp = AuthenticationResponseParser.parse(URI.create(url("/") + "callback?"
                + ex.getRequestURI().getRawQuery()));
        if (p == null || !p.state().equals(resp.getState())) {
            refuse(ex, "state does not match this browser's login");
            return;
        }
        if (resp instanceof AuthenticationErrorResponse err) {
            refuse(ex, "provider error: " + err.getErrorObject().getCode());
            return;
        }
        if (resp.toSuccessResponse().getIssuer() != null && !op.getIssuer().equals(resp.toSuccessResponse().getIssuer())) {
            refuse(ex, "authorization response from another issuer");
            return;
        }
        TokenResponse tr = OIDCTokenResponseParser.parse(new TokenRequest.Builder(op.getTokenEndpointURI(),
                new ClientSecretBasic(clientId, secret),
                new AuthorizationCodeGrant(resp.toSuccessResponse().getAuthorizationCode(), callback(), p.verifier()))
                .build().toHTTPRequest().send());
        if (!tr.indicatesSuccess()) {
            refuse(ex, "token endpoint: " + tr.toErrorResponse().getErrorObject().getCode());
            return;
        }
        OIDCTokenResponse ok = (OIDCTokenResponse) tr.toSuccessResponse();
        IDTokenClaimsSet id = new IDTokenValidator(op.getIssuer(), clientId, alg, op.getJWKSetURI().toURL())
                .validate(ok.getOIDCTokens().getIDToken(), p.nonce());
        UserInfo info = userInfo(ok.getOIDCTokens().getBearerAccessToken());
        if (info == null || !info.getSubject().equals(id.getSubject())) {
            refuse(ex, "userinfo refused or for another subject");
            return;
        }
        String sid = id.getStringClaim("sid");
        String key = UUID.randomUUID().toString();
        sessions.put(key, new AppSession(id.getSubject().getValue(), sid, info.getPreferredUsername(),
                info.getEmailAddress(), ok.getOIDCTokens().getBearerAccessToken(), ok.getOIDCTokens().getRefreshToken()));
        ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + key + "; Path=/; HttpOnly; SameSite=Lax");
        ex.getResponseHeaders().add("Set-Cookie", LOGIN_COOKIE + "=; Path=/; Max-Age=0");
        ex.getResponseHeaders().add("Location", url("/"));
        send(ex, 302, "text/plain", "");
    }

    private UserInfo userInfo(BearerAccessToken token) throws Exception {
        UserInfoResponse r = UserInfoResponse.parse(new UserInfoRequest(op.getUserInfoEndpointURI(), token)
                .toHTTPRequest().send());
        return r.indicatesSuccess() ? r.toSuccessResponse().getUserInfo() : null;
    }

    /** The refresh grant, as an app runs it when its access token is about to expire; a refusal signs out. */
    private void refresh(HttpExchange ex) throws Exception {
        String key = cookie(ex, COOKIE);
        AppSession s = key == null ? null : sessions.get(key);
        if (s == null) {
            send(ex, 401, "text/plain", "not signed in");
            return;
        }
        TokenResponse tr = OIDCTokenResponseParser.parse(new TokenRequest.Builder(op.getTokenEndpointURI(),
                new ClientSecretBasic(clientId, secret), new RefreshTokenGrant(s.refresh())).build().toHTTPRequest()
                .send());
        if (!tr.indicatesSuccess()) {
            sessions.remove(key);
            refuse(ex, "refresh refused: " + tr.toErrorResponse().getErrorObject().getCode());
            return;
        }
        OIDCTokenResponse ok = (OIDCTokenResponse) tr.toSuccessResponse();
        RefreshToken next = ok.getOIDCTokens().getRefreshToken() != null ? ok.getOIDCTokens().getRefreshToken() : s.refresh();
        sessions.put(key, new AppSession(s.subject(), s.sid(), s.username(), s.email(),
                ok.getOIDCTokens().getBearerAccessToken(), next));
        send(ex, 200, "text/plain", "refreshed");
    }

    /** OIDC back-channel logout: the library validates the logout token; its session (sid) ends here. */
    private void backchannelLogout(HttpExchange ex) throws Exception {
        if (!"POST".equals(ex.getRequestMethod())) {
            send(ex, 405, "text/plain", "");
            return;
        }
        String body;
        try (InputStream in = ex.getRequestBody()) {
            body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        }
        String token = null;
        for (String pair : body.split("&")) {
            if (pair.startsWith("logout_token=")) {
                token = URLDecoder.decode(pair.substring("logout_token=".length()), StandardCharsets.UTF_8);
            }
        }
        LogoutTokenClaimsSet claims;
        try {
            claims = new LogoutTokenValidator(op.getIssuer(), clientId, alg, op.getJWKSetURI().toURL())
                    .validate(JWTParser.parse(token == null ? "" : token));
        } catch (Exception e) {
            refusals.add("logout token refused: " + e.getMessage());
            send(ex, 400, "text/plain", "bad logout token");
            return;
        }
        String sid = claims.getSessionID() == null ? null : claims.getSessionID().getValue();
        String sub = claims.getSubject() == null ? null : claims.getSubject().getValue();
        sessions.values().removeIf(s -> sid != null ? sid.equals(s.sid()) : s.subject().equals(sub));
        backchannelLogouts.add(sid == null ? "sub:" + sub : sid);
        ex.getResponseHeaders().add("Cache-Control", "no-store");
        send(ex, 200, "text/plain", "");
    }

    private AppSession session(HttpExchange ex) {
        String key = cookie(ex, COOKIE);
        return key == null ? null : sessions.get(key);
    }

    private void refuse(HttpExchange ex, String why) throws IOException {
        refusals.add(why);
        send(ex, 403, "text/html; charset=utf-8", "<!DOCTYPE html><html><body><h1 id=\"refused\">Not signed in</h1><p>"
                + html(why) + "</p></body></html>");
    }

    static String cookie(HttpExchange ex, String name) {
        for (String header : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String part : header.split(";")) {
                String p = part.trim();
                if (p.startsWith(name + "=") && p.length() > name.length() + 1) {
                    return p.substring(name.length() + 1);
                }
            }
        }
        return null;
    }

    static String html(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
