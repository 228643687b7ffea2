package dev.mcias.keycloak.audit.checkpoint;

import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/**
 * The checkpoint options of the {@code mcias-audit} listener ({@code --spi-events-listener--mcias-audit--<option>}):
 * checkpoint-key-file, checkpoint-every-records (1000), checkpoint-interval-seconds (300).
 */
public final class CheckpointSetup {

    static final long DEFAULT_EVERY_RECORDS = 1000;
    static final long DEFAULT_INTERVAL_SECONDS = 300;
    private static final Logger LOG = Logger.getLogger(CheckpointSetup.class);

    private CheckpointSetup() {
    }

    /**
     * The writer, or null without a key file: then no checkpoints are written (a warning says so). An in-memory key
     * would sign checkpoints nobody could verify after a restart, which is worse than none.
     */
    public static Checkpointer checkpointer(Config.Scope config, Logger auditLog) {
        long every = config.getLong("checkpointEveryRecords", DEFAULT_EVERY_RECORDS);
        long interval = config.getLong("checkpointIntervalSeconds", DEFAULT_INTERVAL_SECONDS);
        if (every < 1) {
            throw new IllegalArgumentException("audit: checkpoint-every-records must be positive");
        }
        if (interval < 1) {
            throw new IllegalArgumentException("audit: checkpoint-interval-seconds must be positive");
        }
        String file = config.get("checkpointKeyFile");
        if (file == null || file.isBlank()) {
            LOG.warn("audit: no checkpoint-key-file configured; no signed checkpoints are written, so deleting the"
                    + " newest records or rewriting the whole chain in the database cannot be detected");
            return null;
        }
        CheckpointKeys keys = CheckpointKeys.fromFile(Path.of(file));
        for (CheckpointKeys.Key k : keys.all()) {
            LOG.infof("audit: checkpoint key %s%s, Ed25519 public key (SPKI, base64) %s", k.id(),
                    k == keys.signing() ? " (signing)" : "", Base64.getEncoder().encodeToString(
                            k.publicKey().getEncoded()));
        }
        LOG.infof("audit: a signed checkpoint every %d records or %d seconds", every, interval);
        return new Checkpointer(keys, every, interval, auditLog);
    }

    public static List<ProviderConfigProperty> configMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name("checkpointKeyFile").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("File with Ed25519 keys signing checkpoints, lines <id>:<base64 PKCS#8 or 32-byte seed>;"
                        + " the first signs, the others still verify. Unset: no checkpoints.").add()
                .property().name("checkpointEveryRecords").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("A checkpoint when a realm's chain reaches a multiple of this many records.")
                .defaultValue(DEFAULT_EVERY_RECORDS).add()
                .property().name("checkpointIntervalSeconds").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("A checkpoint at least this often for each realm with records not yet covered.")
                .defaultValue(DEFAULT_INTERVAL_SECONDS).add()
                .build();
    }
}
