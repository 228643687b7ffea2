package dev.mcias.keycloak.appaccess;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.Authenticator;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * Direct-grant (password grant) step, last in the flow so a wrong password or OTP is reported as such and the
 * answer never tells an outsider who is a member. Refusal: OAuth JSON {@code 400 access_denied}, no session, no
 * token; a challenge rather than a failure so the brute-force counter is not touched (see
 * {@link AppAccessAuthenticator}).
 */
public class AppAccessDirectGrantAuthenticator implements Authenticator {

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        ClientModel client = context.getAuthenticationSession().getClient();
        UserModel user = context.getUser();
        if (AppAccess.mayUse(context.getRealm(), client, user)) {
            context.success();
            return;
        }
        context.getEvent().clone().user(user).detail("reason", AppAccess.EVENT_ERROR).error(AppAccess.EVENT_ERROR);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", AppAccess.OAUTH_ERROR);
        body.put("error_description", AppAccess.OAUTH_DESCRIPTION);
        context.forceChallenge(Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body).build());
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        authenticate(context);
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
