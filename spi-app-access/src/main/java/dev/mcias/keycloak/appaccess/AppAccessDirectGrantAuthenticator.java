package dev.mcias.keycloak.appaccess;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.models.ClientModel;

/**
 * Direct-grant (password grant) step, last in the flow so a wrong password or OTP is reported as such and the
 * answer never tells an outsider who is a member. Refusal: OAuth JSON {@code 400 access_denied}, no session, no
 * token.
 */
public class AppAccessDirectGrantAuthenticator extends AppAccessStep {

    @Override
    void refuse(AuthenticationFlowContext context, ClientModel client) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", AppAccess.OAUTH_ERROR);
        body.put("error_description", AppAccess.OAUTH_DESCRIPTION);
        context.forceChallenge(Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body).build());
    }
}
