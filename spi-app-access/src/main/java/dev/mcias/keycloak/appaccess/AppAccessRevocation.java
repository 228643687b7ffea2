package dev.mcias.keycloak.appaccess;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jboss.logging.Logger;
import org.keycloak.common.ClientConnection;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.http.HttpRequest;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.services.managers.AuthenticationManager;

/**
 * Losing access reaches the apps at once. A change that can take an app away from someone (role or group taken
 * away, user disabled, app switched to members-only, a role or group changed) is noted during the request; after
 * its transaction committed, the affected sessions are checked again against the committed state, and every client
 * session of an app the user may no longer use is ended the way Keycloak's own admin logout ends it: OIDC
 * back-channel logout to the app when it registered a back-channel logout URL, then the client session detached
 * (its refresh token and the app's next token request fail). A disabled user's sessions end altogether.
 * Each ended client session is a {@code LOGOUT} event with {@code reason=app_access_removed}.
 *
 * <p>What is noted lives in the request's session (one after-completion task per request); nothing is done when
 * the transaction rolls back.
 */
final class AppAccessRevocation {

    static final String REASON = "app_access_removed";
    private static final String ATTRIBUTE = AppAccessRevocation.class.getName();
    private static final Logger LOG = Logger.getLogger(AppAccessRevocation.class);

    private final String realmId;
    /** Users whose sessions are checked again; {@code null} entries never stored. */
    private final Set<String> userIds = new LinkedHashSet<>();
    /** Every members-only app's sessions are checked again (a change that may affect many users). */
    private boolean wholeRealm;

    private AppAccessRevocation(String realmId) {
        this.realmId = realmId;
    }

    /** The user's sessions are checked after the commit. */
    static void recheckUser(KeycloakSession session, RealmModel realm, String userId) {
        if (realm != null && userId != null) {
            pending(session, realm).userIds.add(userId);
        }
    }

    /** The sessions of every members-only app of the realm are checked after the commit. */
    static void recheckRealm(KeycloakSession session, RealmModel realm) {
        if (realm != null) {
            pending(session, realm).wholeRealm = true;
        }
    }

    private static AppAccessRevocation pending(KeycloakSession session, RealmModel realm) {
        String key = ATTRIBUTE + "." + realm.getId();
        AppAccessRevocation pending = session.getAttribute(key, AppAccessRevocation.class);
        if (pending == null) {
            AppAccessRevocation created = new AppAccessRevocation(realm.getId());
            session.setAttribute(key, created);
            // The request's URI and connection name the issuer of the logout tokens and the event's address; the
            // after-commit work runs in a session of its own, on this thread, before the answer is written.
            HttpRequest request = session.getContext().getHttpRequest();
            ClientConnection connection = session.getContext().getConnection();
            session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
                @Override
                protected void commitImpl() {
                    try {
                        KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), s -> {
                            s.getContext().setHttpRequest(request);
                            s.getContext().setConnection(connection);
                            created.run(s);
                        });
                    } catch (RuntimeException e) {
                        // The change itself is committed; a session left running still fails its next refresh.
                        LOG.warnf(e, "could not end the app sessions of users who lost access in realm %s", created.realmId);
                    }
                }

                @Override
                protected void rollbackImpl() {
                    // nothing changed, nothing to end
                }
            });
            pending = created;
        }
        return pending;
    }

    private void run(KeycloakSession session) {
        RealmModel realm = session.realms().getRealm(realmId);
        if (realm == null) {
            return;
        }
        session.getContext().setRealm(realm);
        for (String userId : userIds) {
            UserModel user = session.users().getUserById(realm, userId);
            if (user != null) {
                session.sessions().getUserSessionsStream(realm, user).toList().forEach(us -> recheck(session, realm, us));
            }
        }
        if (wholeRealm) {
            // Keycloak lists an app's sessions read-only only: each one listed is loaded again to be ended.
            realm.getClientsStream().filter(AppAccess::isMembersOnly).toList().forEach(app ->
                    session.sessions().readOnlyStreamUserSessions(realm, app, 0, -1).map(UserSessionModel::getId)
                            .toList().forEach(id -> {
                                UserSessionModel us = session.sessions().getUserSession(realm, id);
                                if (us != null) {
                                    recheck(session, realm, us);
                                }
                            }));
        }
    }

    private static void recheck(KeycloakSession session, RealmModel realm, UserSessionModel userSession) {
        UserModel user = userSession.getUser();
        if (user == null || user.getServiceAccountClientLink() != null) {
            return;
        }
        if (!user.isEnabled()) {
            List<ClientModel> apps = userSession.getAuthenticatedClientSessions().values().stream()
                    .map(AuthenticatedClientSessionModel::getClient).toList();
            AuthenticationManager.backchannelLogout(session, realm, userSession, session.getContext().getUri(),
                    session.getContext().getConnection(), session.getContext().getHttpRequest().getHttpHeaders(),
                    true);
            apps.forEach(app -> audit(session, realm, userSession, user, app));
            return;
        }
        List<ClientModel> lost = userSession.getAuthenticatedClientSessions().values().stream()
                .map(AuthenticatedClientSessionModel::getClient)
                .filter(app -> app != null && !AppAccess.mayUse(realm, app, user)).toList();
        for (ClientModel app : lost) {
            AuthenticationManager.backchannelLogoutUserSessionFromClient(session, realm, userSession, app,
                    session.getContext().getUri(), session.getContext().getHttpRequest().getHttpHeaders());
            audit(session, realm, userSession, user, app);
        }
    }

    private static void audit(KeycloakSession session, RealmModel realm, UserSessionModel userSession, UserModel user,
            ClientModel app) {
        if (app == null) {
            return;
        }
        new EventBuilder(realm, session, session.getContext().getConnection()).event(EventType.LOGOUT).user(user)
                .session(userSession.getId()).client(app).detail("reason", REASON).success();
    }
}
