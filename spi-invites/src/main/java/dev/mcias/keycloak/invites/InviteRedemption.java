package dev.mcias.keycloak.invites;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationProcessor;
import org.keycloak.common.ClientConnection;
import org.keycloak.common.util.Time;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.ClientModel;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.PasswordPolicy;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RequiredActionProviderModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserCredentialModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.FormMessage;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.policy.PasswordPolicyManagerProvider;
import org.keycloak.policy.PolicyError;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.services.Urls;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.services.managers.AuthenticationSessionManager;
import org.keycloak.services.validation.Validation;
import org.keycloak.sessions.AuthenticationSessionModel;
import org.keycloak.sessions.CommonClientSessionModel;
import org.keycloak.sessions.RootAuthenticationSessionModel;
import org.keycloak.userprofile.UserProfile;
import org.keycloak.userprofile.UserProfileContext;
import org.keycloak.userprofile.UserProfileProvider;
import org.keycloak.userprofile.ValidationException;

/**
 * What the friend's browser sees: {@code GET /invites/accept?invite=...} shows the registration form, its
 * {@code POST} creates the account and signs the friend in.
 *
 * <p>Signing in reuses Keycloak's own ending of a login, as its action-token handlers do: an authentication
 * session for the invite's app, with the new user as the authenticated user, handed to
 * {@link AuthenticationManager#nextActionAfterAuthentication}. Keycloak then runs the required actions the friend
 * opted into (TOTP, passkey) on its themed pages, creates the SSO session and its cookie, and redirects to the
 * app's base URL. The session asks for {@code response_type=none}: no authorization code is minted for a request
 * the app never made; the app starts its own login, which the SSO cookie completes without a password prompt.
 */
final class InviteRedemption {

    private static final Logger LOG = Logger.getLogger(InviteRedemption.class);
    static final String FORM = "mcias-invite-register.ftl";
    static final String INVALID = "mcias-invite-invalid.ftl";
    static final String WEBAUTHN_REGISTER = "webauthn-register";
    /** The apps page's client (spi-app-access, shipped in the realm JSON); an invite without an app lands there. */
    static final String APPS_PAGE_CLIENT_ID = "mcias-apps";
    static final String FORM_COOKIE = "MCIAS_INVITE_FORM";
    static final int NONCE_LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The one answer for every link that cannot be used, whatever the reason. */
    static final Response.Status INVALID_STATUS = Response.Status.NOT_FOUND;

    private final KeycloakSession session;
    private final RealmModel realm;
    private final InviteStore store;
    private final String adminRole;

    InviteRedemption(KeycloakSession session, String adminRole) {
        this.session = session;
        this.adminRole = adminRole;
        this.realm = session.getContext().getRealm();
        this.store = new InviteStore(session);
    }

    Response show(String token) {
        InviteEntity invite = store.findByToken(realm, token);
        String reason = unusable(invite);
        if (reason != null) {
            failed(session, invite, reason);
            return invalidPage();
        }
        return form(invite, token, new MultivaluedHashMap<>(), List.of(), Response.Status.OK);
    }

    /**
     * The form carries a random value that the same GET also set as a SameSite=Strict cookie; a POST whose two
     * copies differ did not come from our page (a cross-site form could otherwise sign a victim's browser into
     * an account its author created with an invite of their own).
     */
    private boolean sameOrigin(MultivaluedMap<String, String> form) {
        Cookie cookie = session.getContext().getHttpRequest().getHttpHeaders().getCookies().get(FORM_COOKIE);
        String posted = form.getFirst("form_nonce");
        return cookie != null && posted != null && posted.length() == NONCE_LENGTH
                && MessageDigest.isEqual(cookie.getValue().getBytes(StandardCharsets.US_ASCII),
                posted.getBytes(StandardCharsets.US_ASCII));
    }

    Response redeem(MultivaluedMap<String, String> form) {
        String token = form.getFirst("invite");
        InviteEntity invite = store.findByToken(realm, token);
        String reason = unusable(invite);
        if (reason != null) {
            failed(session, invite, reason);
            return invalidPage();
        }
        if (!sameOrigin(form)) {
            return form(invite, token, form, List.of(new FormMessage(FormMessage.GLOBAL, "mciasInviteFormExpired")),
                    Response.Status.BAD_REQUEST);
        }
        String username = invite.getUsername() != null ? invite.getUsername()
                : trimmed(form.getFirst("username")).toLowerCase(Locale.ROOT);
        String email = invite.getEmail() != null ? invite.getEmail() : trimmed(form.getFirst("email"));
        String password = form.getFirst("password");
        String confirm = form.getFirst("password-confirm");

        MultivaluedMap<String, String> attributes = new MultivaluedHashMap<>();
        attributes.putSingle(UserModel.USERNAME, username);
        attributes.putSingle(UserModel.EMAIL, email);
        attributes.putSingle(UserModel.FIRST_NAME, trimmed(form.getFirst("firstName")));
        attributes.putSingle(UserModel.LAST_NAME, trimmed(form.getFirst("lastName")));
        UserProfile profile = session.getProvider(UserProfileProvider.class)
                .create(UserProfileContext.REGISTRATION, attributes);
        List<FormMessage> errors = new ArrayList<>();
        try {
            profile.validate();
        } catch (ValidationException e) {
            errors.addAll(Validation.getFormErrorsFromValidation(e.getErrors()));
        }
        if (password == null || password.isEmpty()) {
            errors.add(new FormMessage("password", "missingPasswordMessage"));
        } else if (!password.equals(confirm)) {
            errors.add(new FormMessage("password-confirm", "invalidPasswordConfirmMessage"));
        } else {
            PolicyError weak = session.getProvider(PasswordPolicyManagerProvider.class).validate(username, password);
            if (weak != null) {
                errors.add(new FormMessage("password", weak.getMessage(), weak.getParameters()));
            }
        }
        if (!errors.isEmpty()) {
            // A redemption that committed after this one read the invite makes the invite's own username or e-mail
            // "taken" (fields the form may not show): that is a used invite, not a form to correct.
            if (!store.pendingNow(invite.getId(), Time.currentTimeMillis())) {
                return lostRace(invite);
            }
            return form(invite, token, form, errors, Response.Status.BAD_REQUEST);
        }

        UserModel user;
        try {
            user = profile.create();
            user.setEnabled(true);
            // An address the invite was mailed to is proven by the friend holding the link.
            user.setEmailVerified(invite.isEmailSent() && email.equalsIgnoreCase(invite.getEmail()));
            user.credentialManager().updateCredential(UserCredentialModel.password(password, false));
            for (RoleModel role : InviteService.existingRoles(realm, invite)) {
                user.grantRole(role);
            }
            // The realm makes admins present TOTP at every browser login; this sign-in skips that flow, so an
            // invite that makes an admin sets TOTP up before the SSO session exists, whatever the friend ticked.
            RoleModel admin = realm.getRole(adminRole);
            if (("on".equals(form.getFirst("setup-totp")) && offerTotp()) || (admin != null && user.hasRole(admin))) {
                user.addRequiredAction(UserModel.RequiredAction.CONFIGURE_TOTP);
            }
            if ("on".equals(form.getFirst("setup-passkey")) && offerPasskey()) {
                user.addRequiredAction(WEBAUTHN_REGISTER);
            }
        } catch (RuntimeException e) {
            // A concurrent redemption of the same invite that chose the same username waits on the unique index and
            // fails here once the winner commits; nothing of this attempt may remain.
            LOG.debugf("invite %s: creating the user failed: %s", invite.getId(), e.getClass().getName());
            return lostRace(invite);
        }
        boolean won;
        try {
            // Last, so the invite row is locked only for the rest of this transaction, not for the password hashing.
            won = store.consume(invite.getId(), user.getId(), Time.currentTimeMillis());
        } catch (RuntimeException e) {
            won = false;
        }
        if (!won) {
            return lostRace(invite);
        }

        ClientModel app = invite.getClientId() == null ? null : realm.getClientById(invite.getClientId());
        String landing = app == null ? null : InviteService.landing(session, app);
        if (landing == null) {
            // No app: the friend's apps page (spi-app-access), through its client's home URL /realms/{realm}/apps.
            app = realm.getClientByClientId(APPS_PAGE_CLIENT_ID);
            landing = app == null || !app.isEnabled() ? null : InviteService.landing(session, app);
        }
        if (landing == null) {
            app = realm.getClientByClientId(Constants.ACCOUNT_CONSOLE_CLIENT_ID);
            landing = Urls.accountBase(session.getContext().getUri().getBaseUri()).path("/")
                    .build(realm.getName()).toString();
        }
        new EventBuilder(realm, session, connection()).event(EventType.REGISTER).client(app).user(user)
                .detail(Details.USERNAME, user.getUsername()).detail(Details.REGISTER_METHOD, "invite")
                .detail("invite_id", invite.getId())
                .detail("roles", String.join(",", InviteService.roles(invite)))
                .success();
        return signIn(user, app, landing);
    }

    private Response signIn(UserModel user, ClientModel app, String landing) {
        RootAuthenticationSessionModel root = new AuthenticationSessionManager(session)
                .createAuthenticationSession(realm, true);
        AuthenticationSessionModel auth = root.createAuthenticationSession(app);
        auth.setAction(CommonClientSessionModel.Action.AUTHENTICATE.name());
        auth.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
        auth.setRedirectUri(landing);
        auth.setClientNote(OIDCLoginProtocol.RESPONSE_TYPE_PARAM, "none");
        auth.setClientNote(OIDCLoginProtocol.REDIRECT_URI_PARAM, landing);
        auth.setClientNote(OIDCLoginProtocol.SCOPE_PARAM, "openid");
        auth.setClientNote(OIDCLoginProtocol.ISSUER,
                Urls.realmIssuer(session.getContext().getUri().getBaseUri(), realm.getName()));
        auth.setAuthenticatedUser(user);
        session.getContext().setClient(app);
        session.getContext().setAuthenticationSession(auth);
        AuthenticationManager.setClientScopesInSession(session, auth);
        EventBuilder login = new EventBuilder(realm, session, connection()).event(EventType.LOGIN).client(app)
                .user(user).detail(Details.USERNAME, user.getUsername()).detail(Details.AUTH_METHOD, "invite")
                .detail(Details.REDIRECT_URI, landing);
        Response next = AuthenticationManager.nextActionAfterAuthentication(session, auth, connection(),
                session.getContext().getHttpRequest(), session.getContext().getUri(), login);
        String action = auth.getAuthNote(AuthenticationProcessor.CURRENT_AUTHENTICATION_EXECUTION);
        if (next.getStatus() == Response.Status.OK.getStatusCode() && action != null) {
            // A required action answered with its page right here; its links and form post back to the URL they
            // were rendered at, which must be Keycloak's required-action endpoint, not this one: go there instead.
            return AuthenticationManager.redirectToRequiredActions(session, realm, auth,
                    session.getContext().getUri(), action);
        }
        return next;
    }

    /** Another redemption won: undo everything of this one, record the attempt on its own, show the one page. */
    private Response lostRace(InviteEntity invite) {
        session.getTransactionManager().setRollbackOnly();
        String realmId = realm.getId();
        String inviteId = invite.getId();
        ClientConnection connection = connection();
        KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), s -> {
            RealmModel r = s.realms().getRealm(realmId);
            s.getContext().setRealm(r);
            new EventBuilder(r, s, connection).event(EventType.REGISTER_ERROR)
                    .detail(Details.REGISTER_METHOD, "invite").detail("invite_id", inviteId)
                    .detail("reason", "used").error("invalid_invite");
        });
        return invalidPage();
    }

    /** Why the invite cannot be used now, or null if it can. */
    static String unusable(InviteEntity invite) {
        if (invite == null) {
            return "unknown";
        }
        String status = InviteService.status(invite);
        return "pending".equals(status) ? null : status;
    }

    private void failed(KeycloakSession s, InviteEntity invite, String reason) {
        EventBuilder event = new EventBuilder(realm, s, connection()).event(EventType.REGISTER_ERROR)
                .detail(Details.REGISTER_METHOD, "invite").detail("reason", reason);
        if (invite != null) {
            event.detail("invite_id", invite.getId());
        }
        event.error("invalid_invite");
    }

    private Response invalidPage() {
        return noReferrer(session.getProvider(LoginFormsProvider.class).setStatus(INVALID_STATUS)
                .createForm(INVALID));
    }

    private Response form(InviteEntity invite, String token, MultivaluedMap<String, String> entered,
                          List<FormMessage> errors, Response.Status status) {
        LoginFormsProvider page = session.getProvider(LoginFormsProvider.class);
        URI action = UriBuilder.fromUri(session.getContext().getUri().getBaseUri()).path("realms")
                .path(realm.getName()).path("invites").path("accept").build();
        page.setActionUri(action);
        page.setAttribute("inviteAction", action.toString());
        page.setAttribute("inviteToken", token);
        String nonce = nonce();
        page.setAttribute("formNonce", nonce);
        page.setAttribute("fixedUsername", invite.getUsername());
        page.setAttribute("fixedEmail", invite.getEmail());
        page.setAttribute("enteredUsername", valueOr(entered.getFirst("username")));
        page.setAttribute("enteredEmail", valueOr(entered.getFirst("email")));
        page.setAttribute("enteredFirstName", valueOr(entered.getFirst("firstName")));
        page.setAttribute("enteredLastName", valueOr(entered.getFirst("lastName")));
        ClientModel app = invite.getClientId() == null ? null : realm.getClientById(invite.getClientId());
        page.setAttribute("inviteApp", app == null ? "" : InviteService.appName(app));
        PasswordPolicy policy = realm.getPasswordPolicy();
        Object min = policy == null ? null : policy.getPolicyConfig("length");
        page.setAttribute("passwordMinLength", min == null ? 0 : Integer.parseInt(min.toString()));
        page.setAttribute("passwordDenylist", policy != null && policy.getPolicies().contains("passwordBlacklist"));
        page.setAttribute("passwordNotUsername", policy != null && policy.getPolicies().contains("notUsername"));
        page.setAttribute("offerPasskey", offerPasskey());
        page.setAttribute("offerTotp", offerTotp());
        page.setStatus(status);
        if (!errors.isEmpty()) {
            page.setErrors(errors);
        }
        Response r = noReferrer(page.createForm(FORM));
        boolean https = "https".equalsIgnoreCase(session.getContext().getUri().getBaseUri().getScheme());
        return Response.fromResponse(r).header("Set-Cookie", FORM_COOKIE + "=" + nonce + "; Path="
                + action.getRawPath() + "; HttpOnly; SameSite=Strict" + (https ? "; Secure" : "")).build();
    }

    private static String nonce() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private boolean offerPasskey() {
        RequiredActionProviderModel a = realm.getRequiredActionProviderByAlias(WEBAUTHN_REGISTER);
        return a != null && a.isEnabled();
    }

    private boolean offerTotp() {
        RequiredActionProviderModel a = realm.getRequiredActionProviderByAlias(
                UserModel.RequiredAction.CONFIGURE_TOTP.name());
        return a != null && a.isEnabled();
    }

    /** The link carries the secret: no page of ours may pass it on in a Referer header or leave it in a cache. */
    private static Response noReferrer(Response r) {
        return Response.fromResponse(r).header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-store").build();
    }

    private ClientConnection connection() {
        return session.getContext().getConnection();
    }

    private static String trimmed(String s) {
        return s == null ? "" : s.trim();
    }

    private static String valueOr(String s) {
        return s == null ? "" : s;
    }
}
