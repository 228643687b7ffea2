package dev.mcias.keycloak.audit;

import java.util.List;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/** Event listener {@code mcias-audit}. Option {@code --spi-events-listener--mcias-audit--log-category}. */
public class AuditEventListenerProviderFactory implements EventListenerProviderFactory {

    public static final String ID = "mcias-audit";

    private Logger auditLog;

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new AuditEventListenerProvider(session, auditLog);
    }

    @Override
    public void init(Config.Scope config) {
        auditLog = Logger.getLogger(config.get("logCategory", "mcias.audit"));
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
                .property().name("logCategory").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Log category of the one-JSON-line-per-record audit log (INFO level).")
                .defaultValue("mcias.audit").add()
                .build();
    }
}
