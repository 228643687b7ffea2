package dev.mcias.keycloak.dbcredentials;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;
import org.keycloak.services.scheduled.ClusterAwareScheduledTaskRunner;
import org.keycloak.timer.TimerProvider;

import dev.mcias.keycloak.systemaccounts.SystemAccountsResourceProviderFactory;

/**
 * Serves {@code /realms/{realm}/db-credentials} and runs the reaper of expired dynamic roles. Options
 * ({@code --spi-realm-restapi-extension--db-credentials--<option>}): key-file, admin-role,
 * reaper-interval-seconds.
 */
public class DbCredentialsResourceProviderFactory implements RealmResourceProviderFactory {

    public static final String ID = "db-credentials";
    private static final Logger LOG = Logger.getLogger(DbCredentialsResourceProviderFactory.class);

    private String adminRole;
    private Path keyFile;
    private long reaperIntervalSeconds;
    private volatile SecretBox box;
    private volatile FileTime boxLoadedFrom;

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        DbCredentialsResourceProviderFactory config = this;
        return new RealmResourceProvider() {
            @Override
            public Object getResource() {
                return new DbCredentialsResource(session, config);
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void init(Config.Scope config) {
        String file = config.get("keyFile");
        keyFile = file == null || file.isBlank() ? null : Path.of(file);
        reaperIntervalSeconds = config.getLong("reaperIntervalSeconds", 60L);
        if (reaperIntervalSeconds < 1) {
            throw new IllegalArgumentException("db-credentials: reaper-interval-seconds must be positive");
        }
        if (keyFile != null) {
            secretBox(); // a broken key file stops startup, with a message naming the line
        } else {
            LOG.warn("db-credentials: no key-file configured; credentials cannot be stored or read");
        }
    }

    /**
     * Accounts, their roles and the admin role belong to spi-system-accounts: without it (or without mcias-common)
     * this module cannot work, so Keycloak stops at startup with this message, not at the first request.
     */
    @Override
    public void postInit(KeycloakSessionFactory factory) {
        if (factory.getProviderFactory(RealmResourceProvider.class, "system-accounts") == null) {
            throw new IllegalStateException("spi-db-credentials needs spi-system-accounts: install "
                    + "spi-system-accounts.jar and mcias-common.jar in Keycloak's providers/ with it");
        }
        adminRole = ((SystemAccountsResourceProviderFactory) factory.getProviderFactory(RealmResourceProvider.class,
                "system-accounts")).adminRole();
        factory.register(event -> {
            if (event instanceof PostMigrationEvent) {
                // After Keycloak's bootstrap (schema migration, realm import): our tables exist from then on.
                scheduleReaper(factory);
            } else if (event instanceof ClientModel.ClientRemovedEvent removed) {
                // Removing an account revokes its dynamic roles (in the removing transaction), never forgets them.
                ClientModel client = removed.getClient();
                new DbCredentialService(removed.getKeycloakSession(), this)
                        .accountRemoved(client.getRealm().getId(), client.getId());
            }
        });
    }

    /** Cluster-aware, like Keycloak's own ClearExpiredEvents: one node at a time works on the roles. */
    private void scheduleReaper(KeycloakSessionFactory factory) {
        long interval = reaperIntervalSeconds * 1000L;
        KeycloakModelUtils.runJobInTransaction(factory, s -> s.getProvider(TimerProvider.class).schedule(
                new ClusterAwareScheduledTaskRunner(factory, new DbCredentialsReaper(this, interval), interval),
                interval, DbCredentialsReaper.TASK_NAME));
    }

    boolean hasKeyFile() {
        return keyFile != null;
    }

    String adminRole() {
        return adminRole;
    }

    /** The keys, re-read when the key file changes (rotation needs no restart). */
    SecretBox secretBox() {
        if (keyFile == null) {
            throw new IllegalStateException("db-credentials: no key-file configured");
        }
        try {
            FileTime modified = Files.getLastModifiedTime(keyFile);
            if (box == null || !modified.equals(boxLoadedFrom)) {
                box = SecretBox.load(keyFile);
                boxLoadedFrom = modified;
            }
            return box;
        } catch (IOException e) {
            throw new IllegalStateException("db-credentials: cannot read key file " + keyFile);
        }
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
                .property().name("keyFile").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("File with AES-256 keys, one '<id>:<base64>' per line; the first encrypts.").add()
                .property().name("reaperIntervalSeconds").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("How often expired dynamic roles are dropped.").defaultValue(60).add()
                .build();
    }
}
