package dev.mcias.keycloak.common;

import org.keycloak.Config;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.protocol.oidc.mappers.AudienceProtocolMapper;

/**
 * The audience of the MCIAS REST APIs and the client scope that puts it into tokens. The realm JSON defines the
 * scope and gives it to the admin-facing clients; in other realms an admin creates it once (docs/migration.md).
 */
public final class McIasApi {

    /** The {@code aud} every token used with our REST APIs must carry. */
    public static final String AUDIENCE = "mcias-api";
    /** Client scope adding {@link #AUDIENCE} to access tokens. */
    public static final String SCOPE = "mcias-api";
    /** Server-wide option (every MCIAS provider reads the same one): the realm role of MCIAS admins. */
    public static final String ADMIN_ROLE_OPTION = "adminRole";
    public static final String DEFAULT_ADMIN_ROLE = "admin";

    private McIasApi() {
    }

    /** The admin role configured for one provider ({@code --spi-...--admin-role}), {@code admin} by default. */
    public static String adminRole(Config.Scope config) {
        String role = config.get(ADMIN_ROLE_OPTION, DEFAULT_ADMIN_ROLE);
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("admin-role must not be empty");
        }
        return role.trim();
    }

    /** The realm's {@code mcias-api} scope, created (with its audience mapper) if the realm lacks it. */
    public static ClientScopeModel ensureScope(RealmModel realm) {
        ClientScopeModel scope = realm.getClientScopesStream().filter(s -> SCOPE.equals(s.getName()))
                .findFirst().orElse(null);
        if (scope != null) {
            return scope;
        }
        scope = realm.addClientScope(SCOPE);
        scope.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
        scope.setDescription("Access tokens for the MCIAS REST APIs (audience " + AUDIENCE + ")");
        scope.setIncludeInTokenScope(true);
        scope.setDisplayOnConsentScreen(false);
        scope.addProtocolMapper(AudienceProtocolMapper.createClaimMapper("audience " + AUDIENCE, null, AUDIENCE,
                true, false, true));
        return scope;
    }

    /** Lets {@code client} request tokens for the MCIAS APIs with {@code scope=mcias-api}. */
    public static void allowOptional(RealmModel realm, ClientModel client) {
        client.addClientScope(ensureScope(realm), false);
    }
}
