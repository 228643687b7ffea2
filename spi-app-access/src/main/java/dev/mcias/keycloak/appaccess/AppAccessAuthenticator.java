package dev.mcias.keycloak.appaccess;

import jakarta.ws.rs.core.Response;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.Authenticator;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.protocol.oidc.grants.device.DeviceGrantType;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Browser-flow step, placed after the user is known (password form or SSO cookie): a user without the app's
 * access role gets a themed page naming the app (HTTP 403) and the flow stops, so no code is issued.
 *
 * <p>Why a challenge and not {@code context.failure(...)}: Keycloak counts a failure against the user's
 * brute-force record, and a friend who typed the right password for an app they may not use must not lock
 * themselves out of the apps they may use. The refusal also leaves the SSO session alone (cookie path), so the
 * user's other apps keep working.
 */
public class AppAccessAuthenticator implements Authenticator {

    static final String TEMPLATE = "mcias-app-access-denied.ftl";

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        ClientModel client = authSession.getClient();
        UserModel user = context.getUser();
        if (AppAccess.mayUse(context.getRealm(), client, user)) {
            context.success();
            return;
        }
        refuse(context, client, user);
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        // Nothing on the page posts back; a replayed POST is refused the same way.
        authenticate(context);
    }

    static void refuse(AuthenticationFlowContext context, ClientModel client, UserModel user) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        context.getEvent().clone().user(user).detail("reason", AppAccess.EVENT_ERROR).error(AppAccess.EVENT_ERROR);
        // A device-grant verification: mark the user code denied, so the polling device gets access_denied now
        // instead of authorization_pending until the code expires.
        if (DeviceGrantType.isOAuth2DeviceVerificationFlow(authSession)) {
            String userCode = authSession.getClientNote(DeviceGrantType.OAUTH2_DEVICE_VERIFIED_USER_CODE);
            if (userCode != null) {
                DeviceGrantType.denyUserCode(context.getSession(), context.getRealm(), userCode);
            }
        }
        Response page = context.form()
                .setAttribute("mciasApp", AppAccess.displayName(client))
                .setAttribute("mciasAppContact", AppAccess.contact(client))
                .createForm(TEMPLATE);
        context.forceChallenge(Response.fromResponse(page).status(Response.Status.FORBIDDEN).build());
    }

    @Override
    public boolean requiresUser() {
        return true;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return true;
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
    }

    @Override
    public void close() {
    }
}
