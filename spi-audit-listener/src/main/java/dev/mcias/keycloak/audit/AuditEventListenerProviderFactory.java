package dev.mcias.keycloak.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

import dev.mcias.keycloak.audit.checkpoint.AuditRealmRemoval;
import dev.mcias.keycloak.audit.checkpoint.CheckpointSetup;
import dev.mcias.keycloak.audit.checkpoint.Checkpointer;
import dev.mcias.keycloak.audit.webhook.WebhookDispatcher;

/**
 * Event listener {@code mcias-audit}. Options ({@code --spi-events-listener--mcias-audit--<option>}):
 * log-category, fingerprint-key-file, checkpoint-key-file, checkpoint-every-records, checkpoint-interval-seconds,
 * group-commit, group-commit-max-batch, group-commit-wait-ms, group-commit-timeout-ms, and the webhook-* options of
 * {@link WebhookDispatcher}.
 */
public class AuditEventListenerProviderFactory implements EventListenerProviderFactory {

    public static final String ID = "mcias-audit";
    static final String DEFAULT_LOG_CATEGORY = "mcias.audit";

    private static final Logger LOG = Logger.getLogger(AuditEventListenerProviderFactory.class);

    private Logger auditLog;
    private UsernameFingerprint fingerprint;
    private WebhookDispatcher webhooks;
    private Checkpointer checkpointer;
    private boolean groupCommit;
    private int maxBatch;
    private Duration linger;
    private Duration timeout;
    private volatile AuditBatcher batcher;

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new AuditEventListenerProvider(session, auditLog, fingerprint, checkpointer, batcher);
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
        groupCommit = config.getBoolean("groupCommit", true);
        maxBatch = config.getInt("groupCommitMaxBatch", 64);
        linger = Duration.ofMillis(config.getInt("groupCommitWaitMs", 0));
        timeout = Duration.ofMillis(config.getInt("groupCommitTimeoutMs", 30_000));
        if (maxBatch < 1 || linger.isNegative() || linger.toMillis() > 1000 || timeout.toMillis() < 1) {
            throw new IllegalArgumentException("mcias-audit: group-commit-max-batch must be >= 1,"
                    + " group-commit-wait-ms 0..1000, group-commit-timeout-ms >= 1");
        }
    }

    /** The webhook outbox's delivery service (owned here: started in postInit, stopped in close). */
    public WebhookDispatcher webhooks() {
        return webhooks;
    }

    /** The checkpoint writer, null when no checkpoint-key-file is configured. */
    public Checkpointer checkpointer() {
        return checkpointer;
    }

    /**
     * One Keycloak transaction per batch ({@link AuditStore#appendAll}), records in the batcher's order; remembers
     * each realm's head once the batch has committed, so the next batch can link to it without reading it first.
     * Webhook outbox rows written with the records go to the delivery threads after that commit.
     */
    static final class BatchWriter implements AuditBatcher.Writer {
        private final KeycloakSessionFactory factory;
        private final Map<String, AuditStore.Head> heads = new ConcurrentHashMap<>();

        BatchWriter(KeycloakSessionFactory factory) {
            this.factory = factory;
        }

        @Override
        public void write(List<AuditRecordEntity> records) {
            heads.putAll(KeycloakModelUtils.runJobInTransactionWithResult(factory, s -> {
                AuditStore store = new AuditStore(s);
                store.deliverWebhooksAfterCommit();
                return store.appendAll(records, heads);
            }));
        }
    }

    Logger auditLog() {
        return auditLog;
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        if (groupCommit) {
            batcher = new AuditBatcher(new BatchWriter(factory), maxBatch, linger, timeout);
        }
        webhooks.start(factory);
        AuditRealmRemoval.register(factory);
        if (checkpointer != null) {
            checkpointer.start(factory);
        }
    }

    /** Commits what is still queued before Keycloak shuts down (requests waiting for it are then answered). */
    @Override
    public void close() {
        AuditBatcher b = batcher;
        if (b != null) {
            b.close(Duration.ofSeconds(30));
        }
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
                .property().name("groupCommit").type(ProviderConfigProperty.BOOLEAN_TYPE)
                .helpText("Write the records of token requests and error events in per-node batches (one commit"
                        + " per batch, answered after it); false: one transaction per record.")
                .defaultValue(true).add()
                .property().name("groupCommitMaxBatch").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Records per group-commit transaction at most.").defaultValue(64).add()
                .property().name("groupCommitWaitMs").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("How long a leading request waits for more records before it writes (0-1000 ms; 0: batches form"
                        + " from what queues while the previous batch commits).").defaultValue(0).add()
                .property().name("groupCommitTimeoutMs").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("How long a request waits for its batch's commit before it fails.").defaultValue(30000)
                .add()
                .build().stream(), CheckpointSetup.configMetadata().stream()).toList();
    }
}
