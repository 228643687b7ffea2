package dev.mcias.keycloak.appaccess;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.Authenticator;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

import dev.mcias.keycloak.appaccess.apps.AppsPage;
import dev.mcias.keycloak.appaccess.apps.UserApps;

/**
 * What the two flow steps share: the membership check and the audit record of a refusal. A subclass only says how
 * the refusal is answered, and answers it with {@code context.forceChallenge(...)}, not {@code context.failure(...)}:
 * Keycloak counts a failure against the user's brute-force record, and a friend who typed the right password for an
 * app they may not use must not lock themselves out of the apps they may use.
 */
abstract class AppAccessStep implements Authenticator {

    @Override
    public final void authenticate(AuthenticationFlowContext context) {
        ClientModel client = context.getAuthenticationSession().getClient();
        UserModel user = context.getUser();
        if (AppAccess.mayUse(context.getRealm(), client, user)) {
            context.success();
            return;
        }
        context.getEvent().clone().user(user).detail("reason", AppAccess.EVENT_ERROR).error(AppAccess.EVENT_ERROR);
        if (this instanceof AppAccessAuthenticator) {
            offerOtherApps(context, user);
        }
        refuse(context, client);
    }

    /**
     * The refusal page links to the apps page and lists the apps the user may open instead. Set here, on the
     * session's one {@link LoginFormsProvider}, which {@code context.form()} then hands to the browser step.
     */
    private static void offerOtherApps(AuthenticationFlowContext context, UserModel user) {
        KeycloakSession session = context.getSession();
        session.getProvider(LoginFormsProvider.class)
                .setAttribute("mciasAppsUrl", AppsPage.url(session, context.getRealm()).toString())
                .setAttribute("mciasApps", UserApps.of(session, context.getRealm(), user));
    }

    /** Answers a refused user (already audited): a challenge that stops the flow, so nothing is issued. */
    abstract void refuse(AuthenticationFlowContext context, ClientModel client);

    @Override
    public final void action(AuthenticationFlowContext context) {
        // Nothing the steps answer posts back; a replayed POST is checked and refused the same way.
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
