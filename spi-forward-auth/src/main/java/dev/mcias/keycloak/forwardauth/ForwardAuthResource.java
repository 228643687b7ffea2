package dev.mcias.keycloak.forwardauth;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;

import org.keycloak.OAuth2Constants;
import org.keycloak.common.util.Time;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.protocol.oidc.TokenManager;
import org.keycloak.protocol.oidc.utils.OAuth2Code;
import org.keycloak.protocol.oidc.utils.OAuth2CodeParser;
import org.keycloak.protocol.oidc.utils.PkceUtils;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.services.util.DefaultClientSessionContext;
import org.keycloak.urls.UrlType;

import dev.mcias.keycloak.appaccess.AppAccess;

/**
 * {@code /realms/{realm}/forward-auth}: what a reverse proxy asks for each request ({@code check}), and the
 * sign-in and sign-out that its snippet routes from {@code /_mcias/} on the app's own host ({@code login},
 * {@code callback}, {@code logout}, {@code denied}). Every answer is decided here from Keycloak's state at the time
 * of the request: the user session, the user, the app's access role. Nothing is cached.
 */
public class ForwardAuthResource {

    static final String DENIED_TEMPLATE = "mcias-forward-auth-denied.ftl";
    static final int MAX_COOKIE = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeycloakSession session;
    private final RealmModel realm;
    private final HttpHeaders headers;

    public ForwardAuthResource(KeycloakSession session) {
        this.session = session;
        this.realm = session.getContext().getRealm();
        this.headers = session.getContext().getHttpRequest().getHttpHeaders();
    }

    // ---- the proxy's question

    /**
     * 200 with the identity headers, or: not signed in (302 to the app's sign-in, or 401 for nginx, whose snippet
     * turns it into that redirect), 403 (signed in but not a member, a bearer token that is not good for this app,
     * an unknown app), 400 (headers the proxy should never send; 403 for nginx, which treats any other status as
     * its own error).
     */
    @GET
    @Path("check")
    public Response check(@QueryParam("proxy") String proxy) {
        boolean nginx = "nginx".equals(proxy);
        ForwardedRequest request;
        try {
            request = forwarded();
        } catch (ForwardedRequest.Malformed e) {
            refusal(null, null, null, "malformed_request", e.getMessage());
            return plain(nginx ? Response.Status.FORBIDDEN : Response.Status.BAD_REQUEST, e.getMessage());
        }
        App app = app(request, false);
        if (app == null) {
            refusal(null, null, null, "unknown_app", "no forward-auth app named for " + request.origin());
            return plain(Response.Status.FORBIDDEN, "no app is registered at this address");
        }
        List<String> authorization = headers.getRequestHeader(HttpHeaders.AUTHORIZATION);
        // Only Bearer is ours: an app with its own Basic auth gets its Authorization through, checked by cookie.
        if (authorization != null
                && authorization.stream().anyMatch(v -> v.trim().regionMatches(true, 0, "Bearer", 0, 6))) {
            return bearer(app, authorization);
        }
        SignedCookie cookie = sessionCookie(app, request);
        // One answer for every cookie that does not admit (forged, another app's or realm's, of an ended session or
        // a disabled user): it depends only on whether the browser sent one, never on whose it was.
        boolean sent = !cookies(app.cookieName(request.https())).isEmpty();
        if (cookie == null) {
            return signIn(app, request, nginx, sent);
        }
        UserSessionModel userSession = session.sessions().getUserSession(realm, cookie.sessionId);
        String reason = sessionRefusal(app, userSession, cookie);
        if (reason != null) {
            refusal(app.client(), userSession == null ? null : userSession.getUser(), cookie.sessionId,
                    "invalid_session", reason);
            return signIn(app, request, nginx, sent);
        }
        UserModel user = userSession.getUser();
        if (!AppAccess.mayUse(realm, app.client(), user)) {
            refusal(app.client(), user, userSession.getId(), AppAccess.EVENT_ERROR, "not a member");
            return nginx ? Response.status(Response.Status.FORBIDDEN).build() : deniedPage(app);
        }
        if (userSession.getAuthenticatedClientSessionByClient(app.client().getId()) == null) {
            admitted(app, userSession);
        }
        keepAlive(app, userSession);
        return identity(app, user, app.passToken() ? accessToken(app, userSession) : null);
    }

    private Response bearer(App app, List<String> authorization) {
        String value = authorization.size() == 1 ? authorization.get(0).trim() : "";
        String token = value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).trim() : "";
        AuthenticationManager.AuthResult auth = token.isEmpty() || token.length() > 16384 ? null
                : new AppAuthManager.BearerTokenAuthenticator(session).setAudience(app.client().getClientId())
                .setTokenString(token).authenticate();
        if (auth == null || auth.user() == null || !auth.user().isEnabled()) {
            refusal(app.client(), auth == null ? null : auth.user(), null, "invalid_token",
                    "bearer token not valid for this app");
            return plain(Response.Status.FORBIDDEN, "the bearer token is not valid for this app");
        }
        if (!AppAccess.mayUse(realm, app.client(), auth.user())) {
            refusal(app.client(), auth.user(), auth.session() == null ? null : auth.session().getId(),
                    AppAccess.EVENT_ERROR, "not a member");
            return plain(Response.Status.FORBIDDEN, "this account has no access to this app");
        }
        // Already a token for this app: passed on as it came.
        return identity(app, auth.user(), app.passToken() ? token : null);
    }

    /** Null when the session admits its user to the app, else why not (for the audit record only). */
    private String sessionRefusal(App app, UserSessionModel userSession, SignedCookie cookie) {
        if (userSession == null || !AuthenticationManager.isSessionValid(realm, userSession)) {
            return "session ended";
        }
        UserModel user = userSession.getUser();
        if (user == null || !user.isEnabled()) {
            return "user disabled";
        }
        // The app the cookie was signed in at: this one, or for a cookie domain's cookie any app of that domain.
        ClientModel signer = app.client().getClientId().equals(cookie.app) ? app.client()
                : realm.getClientByClientId(cookie.app);
        App signedAt = signer == null ? null : App.of(signer);
        if (signedAt == null || !java.util.Objects.equals(signedAt.cookieDomain(), cookie.domain)) {
            return "the app it was signed in at is gone or has left the cookie domain";
        }
        AuthenticatedClientSessionModel clientSession = userSession.getAuthenticatedClientSessionByClient(
                signer.getId());
        if (clientSession == null
                || !AuthenticationManager.isClientSessionValid(realm, signer, userSession, clientSession)) {
            return "app session ended";
        }
        String nonce = clientSession.getNote(ForwardAuth.NONCE_NOTE);
        if (nonce == null || cookie.nonce == null || !MessageDigest.isEqual(nonce.getBytes(StandardCharsets.UTF_8),
                cookie.nonce.getBytes(StandardCharsets.UTF_8))) {
            return "cookie of an earlier app session";
        }
        return null;
    }

    /**
     * A member's first request to an app of a cookie domain with the cookie of another app of it: the app gets its
     * client session (so it is one of the user's apps, ended with the session, on logout and on losing access, and
     * can be sent a token), and the admission is audited as a sign-in to it.
     */
    private void admitted(App app, UserSessionModel userSession) {
        AuthenticatedClientSessionModel clientSession = session.sessions().createClientSession(realm, app.client(),
                userSession);
        clientSession.setProtocol("openid-connect");
        clientSession.setNote(OIDCLoginProtocol.SCOPE_PARAM, "openid");
        clientSession.setNote(OIDCLoginProtocol.ISSUER, org.keycloak.services.Urls.realmIssuer(
                session.getContext().getUri(UrlType.FRONTEND).getBaseUri(), realm.getName()));
        touch(clientSession, (int) Time.currentTimeSeconds());
        event(EventType.LOGIN).client(app.client()).user(userSession.getUser()).session(userSession.getId())
                .detail("cookie_domain", app.cookieDomain()).success();
    }

    /** Checks count as activity, at most one write per {@link ForwardAuth#REFRESH_SECONDS} per session. */
    private void keepAlive(App app, UserSessionModel userSession) {
        int now = (int) Time.currentTimeSeconds();
        if (now - userSession.getLastSessionRefresh() >= ForwardAuth.REFRESH_SECONDS) {
            userSession.setLastSessionRefresh(now);
            AuthenticatedClientSessionModel clientSession = userSession.getAuthenticatedClientSessionByClient(
                    app.client().getId());
            if (clientSession != null) {
                touch(clientSession, now);
            }
        }
    }

    /**
     * Keycloak 26.7 still expires an idle client session by its timestamp, and its own token code still sets it:
     * the setter is deprecated for removal with no replacement yet.
     */
    @SuppressWarnings("removal")
    private static void touch(AuthenticatedClientSessionModel clientSession, int now) {
        clientSession.setTimestamp(now);
    }

    private Response identity(App app, UserModel user, String token) {
        String name = ((user.getFirstName() == null ? "" : user.getFirstName()) + " "
                + (user.getLastName() == null ? "" : user.getLastName())).trim();
        String groups = user.getGroupsStream().map(GroupModel::getName).map(g -> HeaderValue.encode(g, true))
                .sorted().collect(Collectors.joining(","));
        IdentityHeaders h = app.headers();
        Response.ResponseBuilder ok = Response.ok().type(MediaType.TEXT_PLAIN_TYPE).entity("ok\n")
                .header("Cache-Control", "no-store")
                .header(h.user(), HeaderValue.encode(user.getUsername(), false))
                .header(h.groups(), groups);
        if (user.getEmail() != null) {
            ok.header(h.email(), HeaderValue.encode(user.getEmail(), false));
        }
        if (!name.isEmpty()) {
            ok.header(h.name(), HeaderValue.encode(name, false));
        }
        if (token != null) {
            ok.header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        }
        return ok.build();
    }

    /**
     * A fresh access token of the app for this sign-in (its client session, scopes and mappers, signed with the
     * app's algorithm), as the token endpoint would issue it after the code flow: one per admitted request, so it is
     * never older than the request and ends with the session.
     */
    private String accessToken(App app, UserSessionModel userSession) {
        AuthenticatedClientSessionModel clientSession = userSession.getAuthenticatedClientSessionByClient(
                app.client().getId());
        session.getContext().setClient(app.client());
        ClientSessionContext context = DefaultClientSessionContext.fromClientSessionScopeParameter(clientSession,
                session);
        context.setAttribute(OAuth2Constants.GRANT_TYPE, OAuth2Constants.AUTHORIZATION_CODE);
        AccessToken token = new TokenManager().createClientAccessToken(session, realm, app.client(),
                userSession.getUser(), userSession, context, false);
        return session.tokens().encode(token);
    }

    /** The same answer whatever the reason (no cookie, a forged or stale one, a session that ended). */
    private Response signIn(App app, ForwardedRequest request, boolean nginx, boolean clearCookie) {
        Response.ResponseBuilder r = nginx ? Response.status(Response.Status.UNAUTHORIZED)
                : Response.status(Response.Status.FOUND).location(URI.create(app.url().origin() + ForwardAuth.ROUTE
                        + "login?rd=" + HeaderValue.query(request.url())));
        r.header("Cache-Control", "no-store");
        if (clearCookie) {
            r.header(HttpHeaders.SET_COOKIE, app.clearCookie(request.https()));
        }
        return r.build();
    }

    // ---- sign-in on the app's host

    /** Starts Keycloak's browser flow for the app: the code flow with PKCE, state bound to a cookie of this browser. */
    @GET
    @Path("login")
    public Response login() {
        String requested = returnParameter(session.getContext().getUri().getRequestUri().getRawQuery());
        ForwardedRequest request;
        App app;
        try {
            request = forwardedOrigin();
            app = app(request, true);
        } catch (ForwardedRequest.Malformed e) {
            return plain(Response.Status.BAD_REQUEST, e.getMessage());
        }
        if (app == null) {
            return plain(Response.Status.FORBIDDEN, "no app is registered at this address");
        }
        SignedCookie login = new SignedCookie();
        login.type = SignedCookie.LOGIN;
        login.realm = realm.getId();
        login.app = app.client().getClientId();
        login.expires = Time.currentTimeSeconds() + ForwardAuth.LOGIN_SECONDS;
        login.state = random();
        login.verifier = PkceUtils.generateCodeVerifier();
        login.returnUrl = app.url().returnUrl(requested);
        URI authorize = UriBuilder.fromUri(session.getContext().getUri(UrlType.FRONTEND).getBaseUri())
                .path("realms").path(realm.getName()).path("protocol/openid-connect/auth")
                .queryParam("client_id", app.client().getClientId())
                .queryParam("redirect_uri", app.url().callback())
                .queryParam("response_type", "code")
                .queryParam("scope", "openid")
                .queryParam("state", login.state)
                .queryParam("code_challenge", PkceUtils.generateS256CodeChallenge(login.verifier))
                .queryParam("code_challenge_method", "S256")
                .build();
        return Response.status(Response.Status.FOUND).location(authorize).header("Cache-Control", "no-store")
                .header(HttpHeaders.SET_COOKIE, cookie(ForwardAuth.LOGIN_COOKIE, session.tokens().encode(login),
                        ForwardAuth.ROUTE, ForwardAuth.LOGIN_SECONDS, request.https()))
                .build();
    }

    /**
     * The end of the sign-in, on the app's host: the state must match this browser's login cookie, the code must
     * be the app's, for this callback and this PKCE verifier. Then the app's cookie is set and the browser goes
     * back to where it was going (always a URL of the app).
     */
    @GET
    @Path("callback")
    public Response callback(@QueryParam("code") String code, @QueryParam("state") String state) {
        ForwardedRequest request;
        try {
            request = forwardedOrigin();
        } catch (ForwardedRequest.Malformed e) {
            return plain(Response.Status.BAD_REQUEST, e.getMessage());
        }
        SignedCookie login = null;
        for (String value : cookies(ForwardAuth.LOGIN_COOKIE)) {
            SignedCookie c = decode(value);
            if (c != null && c.state != null && state != null && MessageDigest.isEqual(
                    c.state.getBytes(StandardCharsets.UTF_8), state.getBytes(StandardCharsets.UTF_8))) {
                login = c;
            }
        }
        App app = app(request, true);
        ClientModel client = login == null || app == null || !app.client().getClientId().equals(login.app) ? null
                : app.client();
        if (client == null
                || !login.valid(SignedCookie.LOGIN, realm.getId(), client.getClientId(), Time.currentTimeSeconds())
                || !app.url().origin().equals(request.origin()) || code == null || code.length() > MAX_COOKIE) {
            codeRefusal(client, null, null, "state does not match this browser's sign-in");
            return plain(Response.Status.BAD_REQUEST, "this sign-in was not started in this browser, or took too long;"
                    + " open the app again");
        }
        EventBuilder parseEvent = event(EventType.CODE_TO_TOKEN).client(client);
        OAuth2CodeParser.ParseResult parsed = OAuth2CodeParser.parseCode(session, code, realm, parseEvent);
        AuthenticatedClientSessionModel clientSession = parsed.getClientSession();
        if (parsed.isIllegalCode() || parsed.isExpiredCode() || clientSession == null) {
            // Only the app's own client session: a forged code naming another client's session must not end it.
            if (parsed.isIllegalCode() && clientSession != null
                    && client.getId().equals(clientSession.getClient().getId())) {
                clientSession.detachFromUserSession(); // a code used twice: end what it gave, as Keycloak does
            }
            codeRefusal(client, null, null, "invalid or expired code");
            return plain(Response.Status.BAD_REQUEST, "the sign-in code is not valid; open the app again");
        }
        OAuth2Code data = parsed.getCodeData();
        UserSessionModel userSession = clientSession.getUserSession();
        UserModel user = userSession == null ? null : userSession.getUser();
        if (!client.getId().equals(clientSession.getClient().getId())
                || !app.url().callback().equals(data.getRedirectUriParam())
                || !"S256".equals(data.getCodeChallengeMethod())
                || !PkceUtils.validateCodeChallenge(login.verifier, data.getCodeChallenge(), "S256")
                || userSession == null || !AuthenticationManager.isSessionValid(realm, userSession)
                || user == null || !user.isEnabled()) {
            codeRefusal(client, user, userSession == null ? null : userSession.getId(), "code not for this sign-in");
            return plain(Response.Status.BAD_REQUEST, "the sign-in code is not valid; open the app again");
        }
        if (!AppAccess.mayUse(realm, client, user)) {
            codeRefusal(client, user, userSession.getId(), "not a member");
            return deniedPage(app);
        }
        touch(clientSession, (int) Time.currentTimeSeconds());
        SignedCookie cookie = new SignedCookie();
        cookie.type = SignedCookie.SESSION;
        cookie.realm = realm.getId();
        cookie.app = client.getClientId();
        cookie.sessionId = userSession.getId();
        cookie.domain = app.cookieDomain();
        cookie.nonce = random();
        clientSession.setNote(ForwardAuth.NONCE_NOTE, cookie.nonce);
        cookie.expires = Sessions.maxExpiry(realm, userSession);
        int maxAge = (int) Math.max(1, cookie.expires - Time.currentTimeSeconds());
        event(EventType.CODE_TO_TOKEN).client(client).user(user).session(userSession.getId())
                .detail("redirect_uri", app.url().callback()).success();
        return Response.status(Response.Status.FOUND).location(URI.create(app.url().returnUrl(login.returnUrl)))
                .header("Cache-Control", "no-store")
                .header(HttpHeaders.SET_COOKIE, app.cookie(session.tokens().encode(cookie), maxAge, request.https()))
                .header(HttpHeaders.SET_COOKIE, cookie(ForwardAuth.LOGIN_COOKIE, "", ForwardAuth.ROUTE, 0,
                        request.https()))
                .build();
    }

    /**
     * Ends the app's cookie; with {@code sso=true}, goes on to Keycloak's own sign-out of the whole SSO session
     * (which asks the user to confirm, so a link on another site cannot sign them out everywhere).
     */
    @GET
    @Path("logout")
    public Response logout(@QueryParam("sso") String sso) {
        return signOut("true".equals(sso));
    }

    @POST
    @Path("logout")
    public Response logoutPost(@QueryParam("sso") String sso) {
        return signOut("true".equals(sso));
    }

    private Response signOut(boolean sso) {
        ForwardedRequest request;
        App app;
        try {
            request = forwardedOrigin();
            app = app(request, true);
        } catch (ForwardedRequest.Malformed e) {
            return plain(Response.Status.BAD_REQUEST, e.getMessage());
        }
        if (app == null) {
            return plain(Response.Status.FORBIDDEN, "no app is registered at this address");
        }
        SignedCookie cookie = sessionCookie(app, request);
        if (cookie != null) {
            UserSessionModel userSession = session.sessions().getUserSession(realm, cookie.sessionId);
            EventBuilder e = event(EventType.LOGOUT).client(app.client()).session(cookie.sessionId)
                    .detail("mode", sso ? "sso" : "app");
            if (userSession != null) {
                e.user(userSession.getUser());
                // The app's client session ends here, and that of the app the cookie was signed in at (another
                // app of its cookie domain), so a copy of the cookie kept elsewhere is worthless too.
                ClientModel signer = realm.getClientByClientId(cookie.app);
                for (String clientId : new java.util.LinkedHashSet<>(java.util.Arrays.asList(app.client().getId(),
                        signer == null ? app.client().getId() : signer.getId()))) {
                    AuthenticatedClientSessionModel clientSession = userSession.getAuthenticatedClientSessionByClient(
                            clientId);
                    if (clientSession != null) {
                        clientSession.detachFromUserSession();
                    }
                }
            }
            e.success();
        }
        Response.ResponseBuilder r;
        if (sso) {
            r = Response.status(Response.Status.FOUND).location(UriBuilder
                    .fromUri(session.getContext().getUri(UrlType.FRONTEND).getBaseUri()).path("realms")
                    .path(realm.getName()).path("protocol/openid-connect/logout")
                    .queryParam("client_id", app.client().getClientId()).build());
        } else {
            r = Response.ok("Signed out of " + AppAccess.displayName(app.client()) + ".\n", MediaType.TEXT_PLAIN_TYPE);
        }
        return r.header("Cache-Control", "no-store").header(HttpHeaders.SET_COOKIE, app.clearCookie(request.https()))
                .build();
    }

    /** The members-only refusal page for the app at this address (nginx's {@code error_page 403} shows it). */
    @GET
    @Path("denied")
    public Response denied() {
        try {
            App app = app(forwardedOrigin(), true);
            return app == null ? plain(Response.Status.FORBIDDEN, "no app is registered at this address")
                    : deniedPage(app);
        } catch (ForwardedRequest.Malformed e) {
            return plain(Response.Status.BAD_REQUEST, e.getMessage());
        }
    }

    // ---- helpers

    /**
     * {@code rd}: percent-encoded (Caddy, Traefik: our own redirect) or raw (nginx's {@code error_page}, which
     * cannot encode, so everything after {@code rd=} is the URL, its own query included).
     */
    static String returnParameter(String rawQuery) {
        if (rawQuery == null || !rawQuery.startsWith("rd=")) {
            return null;
        }
        String rd = rawQuery.substring(3);
        if (rd.regionMatches(true, 0, "http%3A", 0, 7) || rd.regionMatches(true, 0, "https%3A", 0, 8)) {
            try {
                return java.net.URLDecoder.decode(rd, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return rd;
    }

    /**
     * The themed refusal page. It is shown on the app's host, where the theme's path-only links to its stylesheets
     * would be the app's paths (refused by the proxy): {@link ThemeLinks} makes them Keycloak's absolute URLs.
     */
    private Response deniedPage(App app) {
        session.getContext().setClient(app.client());
        String apps = UriBuilder.fromUri(session.getContext().getUri(UrlType.FRONTEND).getBaseUri()).path("realms")
                .path(realm.getName()).path("apps").build().toString();
        Response page = session.getProvider(LoginFormsProvider.class)
                .setAttributeMapper(attributes -> ThemeLinks.absolute(attributes, session))
                .setAttribute("mciasApp", AppAccess.displayName(app.client()))
                .setAttribute("mciasAppContact", AppAccess.contact(app.client()))
                .setAttribute("mciasAppsUrl", apps)
                .setStatus(Response.Status.FORBIDDEN)
                .createForm(DENIED_TEMPLATE);
        return Response.fromResponse(page).status(Response.Status.FORBIDDEN).header("Cache-Control", "no-store")
                .build();
    }

    private App app(ForwardedRequest request, boolean wholeOrigin) {
        return App.named(realm, headers.getRequestHeader(ForwardAuth.APP_HEADER), request, wholeOrigin);
    }

    private ForwardedRequest forwarded() throws ForwardedRequest.Malformed {
        return ForwardedRequest.from(headers.getRequestHeader("X-Forwarded-Proto"),
                headers.getRequestHeader("X-Forwarded-Host"), headers.getRequestHeader("X-Forwarded-Uri"),
                headers.getRequestHeader("X-Forwarded-Method"));
    }

    /** For the sign-in routes: the app's origin is what matters, the URI defaults to the route itself. */
    private ForwardedRequest forwardedOrigin() throws ForwardedRequest.Malformed {
        List<String> uri = headers.getRequestHeader("X-Forwarded-Uri");
        if (uri == null || uri.isEmpty()) {
            uri = List.of(ForwardAuth.ROUTE);
        }
        return ForwardedRequest.from(headers.getRequestHeader("X-Forwarded-Proto"),
                headers.getRequestHeader("X-Forwarded-Host"), uri, null);
    }

    /** The app's session cookie, if one of those the browser sent is a live one for this app in this realm. */
    private SignedCookie sessionCookie(App app, ForwardedRequest request) {
        long now = Time.currentTimeSeconds();
        for (String value : cookies(app.cookieName(request.https()))) {
            SignedCookie c = decode(value);
            if (c != null && c.validSession(realm.getId(), app.client().getClientId(), app.cookieDomain(), now)) {
                return c;
            }
        }
        return null;
    }

    /** Null unless signed with the realm's internal HMAC algorithm (no other algorithm is ever accepted). */
    private SignedCookie decode(String value) {
        if (value.isEmpty() || value.length() > MAX_COOKIE) {
            return null;
        }
        try {
            String alg = new org.keycloak.jose.jws.JWSInput(value).getHeader().getRawAlgorithm();
            if (!session.tokens().signatureAlgorithm(org.keycloak.TokenCategory.INTERNAL).equals(alg)) {
                return null;
            }
        } catch (org.keycloak.jose.jws.JWSInputException | RuntimeException e) {
            return null;
        }
        return session.tokens().decode(value, SignedCookie.class);
    }

    /** Every value of the cookie {@code name} (a browser sends one per path it matches). */
    private List<String> cookies(String name) {
        List<String> out = new ArrayList<>();
        List<String> lines = headers.getRequestHeader(HttpHeaders.COOKIE);
        if (lines == null) {
            return out;
        }
        for (String line : lines) {
            for (String pair : line.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                    out.add(pair.substring(eq + 1).trim());
                }
            }
        }
        return out;
    }

    static String cookie(String name, String value, String path, int maxAge, boolean https) {
        return name + "=" + value + "; Path=" + path + "; Max-Age=" + maxAge + "; HttpOnly; SameSite=Lax"
                + (https ? "; Secure" : "");
    }

    private EventBuilder event(EventType type) {
        return new EventBuilder(realm, session, session.getContext().getConnection()).event(type)
                .detail("auth_method", ForwardAuth.AUTH_METHOD);
    }

    private void refusal(ClientModel client, UserModel user, String sessionId, String error, String reason) {
        EventBuilder e = event(EventType.INTROSPECT_TOKEN_ERROR).detail("reason", reason);
        if (client != null) {
            e.client(client);
        }
        if (user != null) {
            e.user(user);
        }
        if (sessionId != null) {
            e.session(sessionId);
        }
        e.error(error);
    }

    private void codeRefusal(ClientModel client, UserModel user, String sessionId, String reason) {
        EventBuilder e = event(EventType.CODE_TO_TOKEN_ERROR).detail("reason", reason);
        if (client != null) {
            e.client(client);
        }
        if (user != null) {
            e.user(user);
        }
        if (sessionId != null) {
            e.session(sessionId);
        }
        e.error("invalid_code");
    }

    private static Response plain(Response.Status status, String text) {
        return Response.status(status).type(MediaType.TEXT_PLAIN_TYPE).entity(text + "\n")
                .header("Cache-Control", "no-store").build();
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
