package dev.mcias.keycloak.audit;

import java.nio.file.Path;
import java.util.List;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

import dev.mcias.keycloak.audit.checkpoint.AuditRealmRemoval;
import dev.mcias.keycloak.audit.checkpoint.CheckpointSetup;
import dev.mcias.keycloak.audit.checkpoint.Checkpointer;
import dev.mcias.keycloak.audit.webhook.WebhookDispatcher;

/**
 * Event listener {@code mcias-audit}. Options ({@code --spi-events-listener--mcias-audit--<option>}):
 * log-category, fingerprint-key-file, checkpoint-key-file, checkpoint-every-records, checkpoint-interval-seconds,
 * and the webhook-* options of {@link WebhookDispatcher}.
 */
public class AuditEventListenerProviderFactory implements EventListenerProviderFactory {

    public static final String ID = "mcias-audit";
    static final String DEFAULT_LOG_CATEGORY = "mcias.audit";

    private static final Logger LOG = Logger.getLogger(AuditEventListenerProviderFactory.class);

    private Logger auditLog;
    private UsernameFingerprint fingerprint;
    private WebhookDispatcher webhooks;
    private Checkpointer checkpointer;

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new AuditEventListenerProvider(session, auditLog, fingerprint, checkpointer);
    }

    @Override
    public void init(Config.Scope config) {
        auditLog = Logger.getLogger(config.get("logCategory", DEFAULT_LOG_CATEGORY));
        String keyFile = config.get("fingerprintKeyFile");
        if (keyFile == null || keyFile.isBlank()) {
            fingerprint = UsernameFingerprint.ephemeral();
            LOG.warn("audit: no fingerprint-key-file configured; unknown usernames are fingerprinted with a key that"
                    + " exists only in this process (fingerprints correlate only until restart, and per node)");
        } else {
            fingerprint = UsernameFingerprint.fromKeyFile(Path.of(keyFile));
            LOG.infof("audit: unknown usernames are fingerprinted with key %s", fingerprint.keyId());
        }
        webhooks = WebhookDispatcher.fromConfig(config);
        checkpointer = CheckpointSetup.checkpointer(config, auditLog);
    }

    /** The webhook outbox's delivery service (owned here: started in postInit, stopped in close). */
    public WebhookDispatcher webhooks() {
        return webhooks;
    }

    /** The checkpoint writer, null when no checkpoint-key-file is configured. */
    public Checkpointer checkpointer() {
        return checkpointer;
    }

    Logger auditLog() {
        return auditLog;
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        webhooks.start(factory);
        AuditRealmRemoval.register(factory);
        if (checkpointer != null) {
            checkpointer.start(factory);
        }
    }

    @Override
    public void close() {
        if (webhooks != null) {
            webhooks.close();
        }
        if (checkpointer != null) {
            checkpointer.stop();
        }
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        ProviderConfigurationBuilder b = ProviderConfigurationBuilder.create();
        WebhookDispatcher.addOptions(b);
        return java.util.stream.Stream.concat(b
                .property().name("logCategory").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Log category of the one-JSON-line-per-record audit log (INFO level).")
                .defaultValue(DEFAULT_LOG_CATEGORY).add()
                .property().name("fingerprintKeyFile").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("File with the HMAC key (<id>:<base64 of 32+ bytes>, first line used) for fingerprints of"
                        + " unknown usernames; unset: a random key kept in memory only.").add()
                .build().stream(), CheckpointSetup.configMetadata().stream()).toList();
    }
}
