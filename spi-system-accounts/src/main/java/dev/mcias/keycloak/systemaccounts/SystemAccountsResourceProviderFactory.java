package dev.mcias.keycloak.systemaccounts;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

import dev.mcias.keycloak.common.McIasApi;

/**
 * Serves {@code /realms/{realm}/system-accounts}. Options
 * ({@code --spi-realm-restapi-extension--system-accounts--<option>}): admin-role, default-token-ttl.
 */
public class SystemAccountsResourceProviderFactory implements RealmResourceProviderFactory {

    public static final String ID = "system-accounts";

    private String adminRole;
    private long defaultTtlSeconds;

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new SystemAccountsResourceProvider(session, adminRole, defaultTtlSeconds);
    }

    @Override
    public void init(Config.Scope config) {
        adminRole = McIasApi.adminRole(config);
        defaultTtlSeconds = config.getLong("defaultTokenTtl", SystemAccounts.DEFAULT_TTL_SECONDS);
        if (!SystemAccounts.validTtl(defaultTtlSeconds)) {
            throw new IllegalArgumentException("system-accounts: default-token-ttl must be between "
                    + SystemAccounts.MIN_TTL_SECONDS + " and " + SystemAccounts.MAX_TTL_SECONDS + " seconds");
        }
    }

    /**
     * Our rows follow Keycloak's life cycle: a system account deleted in the admin console (or through the admin
     * API) loses its token slot and delegation role with it, and a deleted realm loses all its slots, so the
     * name can be used again and nothing is left behind. The events fire inside the removing transaction.
     */
    @Override
    public void postInit(KeycloakSessionFactory factory) {
        factory.register(event -> {
            if (event instanceof ClientModel.ClientRemovedEvent removed
                    && SystemAccounts.isSystemAccount(removed.getClient())) {
                ClientModel account = removed.getClient();
                RealmModel realm = account.getRealm();
                new SystemAccountTokenStore(removed.getKeycloakSession()).delete(realm, account);
                RoleModel role = SystemAccounts.role(realm, account);
                if (role != null) {
                    realm.removeRole(role);
                }
            } else if (event instanceof RealmModel.RealmRemovedEvent removed) {
                new SystemAccountTokenStore(removed.getKeycloakSession()).deleteRealm(removed.getRealm().getId());
            }
        });
    }

    @Override
    public void close() {
    }

    /** The realm role of MCIAS admins, for this module and spi-db-credentials (one option for both). */
    public String adminRole() {
        return adminRole;
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name("adminRole").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Realm role allowed to manage every system account.").defaultValue("admin").add()
                .property().name("defaultTokenTtl").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Token lifetime in seconds when neither the account nor the realm sets one.")
                .defaultValue(SystemAccounts.DEFAULT_TTL_SECONDS).add()
                .build();
    }
}
