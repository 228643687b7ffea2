package dev.mcias.keycloak.appaccess;

import java.util.Set;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.provider.ProviderEvent;
import org.keycloak.services.managers.AuthenticationManager;

/**
 * Notes what can take an app away from someone, for {@link AppAccessRevocation} to act on after the commit.
 *
 * <p>Keycloak's model events (registered here, whatever the realm's settings) cover a realm role taken from a user,
 * a user leaving a group and an updated client (members-only switched on, another access role). What has no model
 * event comes through the admin events of the realm's event listener {@code mcias-app-access} (the shipped realm
 * lists it): a user updated (disabled), a group's or a role's mappings changed, a group or role deleted.
 * A deleted user's sessions are ended before the deletion, while they still exist (after the commit there is
 * nothing left to name in a logout token; ending them for a deletion that then rolls back costs a sign-in).
 */
public class AppAccessRevocationListenerFactory implements EventListenerProviderFactory {

    public static final String ID = "mcias-app-access";
    private static final Logger LOG = Logger.getLogger(AppAccessRevocationListenerFactory.class);

    private static final Set<ResourceType> REALM_WIDE = Set.of(ResourceType.REALM_ROLE_MAPPING,
            ResourceType.REALM_ROLE, ResourceType.GROUP, ResourceType.CLIENT_ROLE_MAPPING);

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new EventListenerProvider() {
            @Override
            public void onEvent(Event event) {
                // user events take nothing away
            }

            @Override
            public void onEvent(AdminEvent event, boolean includeRepresentation) {
                RealmModel realm = session.realms().getRealm(event.getRealmId());
                String path = event.getResourcePath() == null ? "" : event.getResourcePath();
                if (event.getResourceType() == ResourceType.USER && event.getOperationType() == OperationType.UPDATE
                        && path.startsWith("users/")) {
                    AppAccessRevocation.recheckUser(session, realm, path.substring("users/".length()));
                } else if (REALM_WIDE.contains(event.getResourceType()) && event.getOperationType() != OperationType.CREATE
                        && !path.startsWith("users/")) {
                    // a group's role mappings, a composite role, a deleted group or role: many users at once
                    AppAccessRevocation.recheckRealm(session, realm);
                }
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        factory.register(this::onModelEvent);
    }

    private void onModelEvent(ProviderEvent event) {
        if (event instanceof RoleModel.RoleRevokedEvent revoked) {
            AppAccessRevocation.recheckUser(revoked.getKeycloakSession(), revoked.getRealm(), revoked.getUser().getId());
        } else if (event instanceof GroupModel.GroupMemberLeaveEvent left) {
            AppAccessRevocation.recheckUser(left.getKeycloakSession(), left.getRealm(), left.getUser().getId());
        } else if (event instanceof ClientModel.ClientUpdatedEvent updated && AppAccess.isMembersOnly(updated.getUpdatedClient())) {
            AppAccessRevocation.recheckRealm(updated.getKeycloakSession(), updated.getUpdatedClient().getRealm());
        } else if (event instanceof UserModel.UserPreRemovedEvent removed) {
            endSessionsOf(removed.getKeycloakSession(), removed.getRealm(), removed.getUser());
        }
    }

    private static void endSessionsOf(KeycloakSession session, RealmModel realm, UserModel user) {
        if (session.getContext().getHttpRequest() == null || user.getServiceAccountClientLink() != null) {
            return; // not a request (realm import, a scheduled task): no app was signed in through it
        }
        try {
            session.sessions().getUserSessionsStream(realm, user).toList().forEach(us ->
                    AuthenticationManager.backchannelLogout(session, realm, us, session.getContext().getUri(),
                            session.getContext().getConnection(),
                            session.getContext().getHttpRequest().getHttpHeaders(), true));
        } catch (RuntimeException e) {
            // The deletion goes on: Keycloak removes the sessions with the user; apps learn it at their next refresh.
            LOG.warnf(e, "could not send back-channel logout for a user being deleted in realm %s", realm.getName());
        }
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return ID;
    }
}
