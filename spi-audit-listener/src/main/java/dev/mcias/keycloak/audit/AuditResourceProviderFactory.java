package dev.mcias.keycloak.audit;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

import dev.mcias.keycloak.common.McIasApi;

/**
 * Serves {@code /realms/{realm}/audit}. Options ({@code --spi-realm-restapi-extension--audit--<option>}):
 * admin-role, retention-days.
 */
public class AuditResourceProviderFactory implements RealmResourceProviderFactory {

    public static final String ID = "audit";

    private String adminRole;
    private int retentionDays;

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new AuditResourceProvider(session, adminRole, retentionDays);
    }

    @Override
    public void init(Config.Scope config) {
        adminRole = McIasApi.adminRole(config);
        retentionDays = config.getInt("retentionDays", 0);
        if (retentionDays < 0) {
            throw new IllegalArgumentException("audit: retention-days must be 0 (keep forever) or positive");
        }
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name("adminRole").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Realm role that may read, verify and purge the audit log.").defaultValue("admin").add()
                .property().name("retentionDays").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Records older than this many days are removed by a purge; 0 keeps everything.")
                .defaultValue(0).add()
                .build();
    }
}
