package dev.mcias.keycloak.appaccess;

import jakarta.ws.rs.core.Response;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.models.ClientModel;
import org.keycloak.protocol.oidc.grants.device.DeviceGrantType;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Browser-flow step, placed after the user is known (password form or SSO cookie): a user without the app's
 * access role gets a themed page naming the app (HTTP 403) and the flow stops, so no code is issued. The refusal
 * leaves the SSO session alone (cookie path), so the user's other apps keep working.
 */
public class AppAccessAuthenticator extends AppAccessStep {

    static final String TEMPLATE = "mcias-app-access-denied.ftl";

    @Override
    void refuse(AuthenticationFlowContext context, ClientModel client) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
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
}
