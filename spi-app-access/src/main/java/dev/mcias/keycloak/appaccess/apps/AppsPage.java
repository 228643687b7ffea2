package dev.mcias.keycloak.appaccess.apps;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import org.keycloak.OAuth2Constants;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.protocol.oidc.OIDCLoginProtocolService;
import org.keycloak.services.ErrorPage;
import org.keycloak.services.managers.AuthenticationManager;

/**
 * {@code GET /realms/{realm}/apps}: the signed-in user's apps ({@link UserApps}), on a page of the login theme.
 *
 * <p>Signed in means a valid SSO session (Keycloak's identity cookie). Without one the browser is sent through the
 * realm's normal browser login for the public client {@link UserApps#PAGE_CLIENT_ID} with {@code response_type=none}:
 * the login ends with the SSO cookie and a redirect back here, no code or token is ever issued, so there is nothing
 * to redeem, steal or check (state and PKCE are sent because the realm's client policies demand them of public
 * clients; nothing is kept). Query parameters (the login's {@code state}, {@code session_state}, {@code iss}, or
 * anything else) are ignored, except that a login that came back with {@code error} gets an error page instead of
 * another round trip, so a refused login cannot loop.
 */
public class AppsPage {

    static final String TEMPLATE = "mcias-apps.ftl";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeycloakSession session;

    AppsPage(KeycloakSession session) {
        this.session = session;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response page() {
        RealmModel realm = session.getContext().getRealm();
        AuthenticationManager.AuthResult auth = AuthenticationManager.authenticateIdentityCookie(session, realm, true);
        if (auth == null) {
            return signIn(realm);
        }
        UserModel user = auth.user();
        URI base = session.getContext().getUri().getBaseUri();
        Response page = session.getProvider(LoginFormsProvider.class)
                .setAttribute("mciasApps", UserApps.of(session, realm, user))
                .setAttribute("mciasUser", user.getUsername())
                .setAttribute("mciasAccountUrl", UriBuilder.fromUri(base).path("realms").path(realm.getName())
                        .path("account").path("").build().toString())
                .setAttribute("mciasSignOutUrl", OIDCLoginProtocolService.logoutUrl(UriBuilder.fromUri(base))
                        .build(realm.getName()).toString())
                .createForm(TEMPLATE);
        return noStore(page);
    }

    /** The page's own address, on the realm's frontend URL. */
    public static URI url(KeycloakSession session, RealmModel realm) {
        return UriBuilder.fromUri(session.getContext().getUri().getBaseUri()).path("realms").path(realm.getName())
                .path(AppsPageFactory.ID).build();
    }

    private Response signIn(RealmModel realm) {
        ClientModel client = realm.getClientByClientId(UserApps.PAGE_CLIENT_ID);
        if (client == null || !client.isEnabled()) {
            // A realm imported without the client: say so instead of sending the browser to an error.
            return noStore(ErrorPage.error(session, null, Response.Status.NOT_FOUND, "mciasAppsNotConfigured"));
        }
        if (session.getContext().getUri().getQueryParameters().containsKey(OAuth2Constants.ERROR)) {
            return noStore(ErrorPage.error(session, null, Response.Status.BAD_REQUEST, "mciasAppsSignInFailed"));
        }
        URI login = OIDCLoginProtocolService.authUrl(UriBuilder.fromUri(session.getContext().getUri().getBaseUri()))
                .queryParam(OIDCLoginProtocol.CLIENT_ID_PARAM, UserApps.PAGE_CLIENT_ID)
                .queryParam(OIDCLoginProtocol.RESPONSE_TYPE_PARAM, "none")
                .queryParam(OIDCLoginProtocol.REDIRECT_URI_PARAM, url(session, realm).toString())
                .queryParam(OIDCLoginProtocol.SCOPE_PARAM, "openid")
                .queryParam(OIDCLoginProtocol.STATE_PARAM, random())
                .queryParam(OIDCLoginProtocol.CODE_CHALLENGE_PARAM, s256(random()))
                .queryParam(OIDCLoginProtocol.CODE_CHALLENGE_METHOD_PARAM, OIDCLoginProtocol.PKCE_METHOD_S256)
                .build(realm.getName());
        return noStore(Response.seeOther(login).build());
    }

    private static Response noStore(Response r) {
        return Response.fromResponse(r).header("Cache-Control", "no-store").build();
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String s256(String verifier) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
