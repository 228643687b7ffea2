package dev.mcias.keycloak.it.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one Keycloak for the whole test run (all classes share it) and stops it when JUnit closes the root
 * context, whether tests passed or not. Inject {@link KeycloakServer} or {@link KeycloakApi} into tests.
 */
public final class KeycloakExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KeycloakExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        Class<?> type = p.getParameter().getType();
        return type == KeycloakServer.class || type == KeycloakApi.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        Shared shared = c.getRoot().getStore(NS).getOrComputeIfAbsent(Shared.class, k -> new Shared(launch(),
                prebuild()), Shared.class);
        return p.getParameter().getType() == KeycloakApi.class ? shared.api : shared.server;
    }

    /** The shared server: the production realm imported at start, then the example clients added to it. */
    private static KeycloakServer launch() {
        KeycloakServer server = start();
        try {
            ExampleApps.importInto(new KeycloakApi(server));
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * The H2 execution builds the PostgreSQL distribution for the execution after it while its own tests run
     * (kc.test.postgres.skip=false: the PostgreSQL execution runs too).
     */
    private static Thread prebuild() {
        boolean h2 = "h2".equals(System.getProperty("kc.test.db", "h2"));
        return h2 && "false".equals(System.getProperty("kc.test.postgres.skip"))
                && !"testcontainers".equals(System.getProperty("kc.test.launcher"))
                ? DistributionKeycloakServer.buildInBackground("postgres") : null;
    }

    private static KeycloakServer start() {
        if ("testcontainers".equals(System.getProperty("kc.test.launcher"))) {
            try {
                return (KeycloakServer) Class.forName("dev.mcias.keycloak.it.testcontainers.TestcontainersKeycloakServer")
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("testcontainers launcher unavailable (use -Ptestcontainers)", e);
            }
        }
        return DistributionKeycloakServer.fromBuild(TestDatabase.fromSystemProperty(), ServerOptions.defaults())
                .startOrClose();
    }

    private static final class Shared implements ExtensionContext.Store.CloseableResource {
        final KeycloakServer server;
        final KeycloakApi api;
        final Thread prebuild;

        Shared(KeycloakServer server, Thread prebuild) {
            this.server = server;
            this.api = new KeycloakApi(server);
            this.prebuild = prebuild;
        }

        @Override
        public void close() throws InterruptedException {
            server.close();
            if (prebuild != null) {
                prebuild.join();
            }
        }
    }

    /** Options every test server gets beyond the basics; SPI options of our providers go here. */
    public static final class ServerOptions {

        /** The db-credentials key file of the test server: generated per run, never committed. */
        public static final Path KEY_FILE = Path.of(System.getProperty("kc.test.work.dir", "target/it-work"),
                "db-credentials.keys");

        private ServerOptions() {
        }

        /** The audit listener's key for fingerprints of unknown usernames: generated per run, never committed. */
        public static final Path AUDIT_KEY_FILE = KEY_FILE.resolveSibling("audit-fingerprint.key");
        public static final String AUDIT_KEY_ID = "it1";

        /**
         * Concurrent Argon2id hashes the test servers allow ({@code max-concurrent}; the provider's default is the
         * CPU count, which differs between machines): bursts above it must queue, not fail.
         */
        public static final int ARGON2_MAX_CONCURRENT = 2;
        /** The Ed25519 key (a 32-byte seed) signing audit checkpoints: generated per run, never committed. */
        public static final Path AUDIT_CHECKPOINT_KEY_FILE = KEY_FILE.resolveSibling("audit-checkpoint.key");
        public static final String AUDIT_CHECKPOINT_KEY_ID = "c1";
        /** Small, so tests see checkpoints after a few records; cheap (one signature per this many records). */
        public static final int AUDIT_CHECKPOINT_EVERY_RECORDS = 10;
        /** Short enough that a test can await the periodic checkpoint of a lone record. */
        public static final int AUDIT_CHECKPOINT_INTERVAL_SECONDS = 3;

        /** Audit records older than this are purged; long enough that no test's own records ever are. */
        public static final int AUDIT_RETENTION_DAYS = 3650;

        static List<String> defaults() {
            writeKeys(List.of("k1"));
            writeAuditKey();
            writeCheckpointKey();
            List<String> options = new java.util.ArrayList<>(List.of(
                    "--spi-realm-restapi-extension--db-credentials--key-file=" + KEY_FILE.toAbsolutePath(),
                    "--spi-realm-restapi-extension--db-credentials--reaper-interval-seconds=2",
                    "--spi-events-listener--mcias-audit--fingerprint-key-file=" + AUDIT_KEY_FILE.toAbsolutePath(),
                    "--spi-events-listener--mcias-audit--checkpoint-key-file="
                            + AUDIT_CHECKPOINT_KEY_FILE.toAbsolutePath(),
                    "--spi-events-listener--mcias-audit--checkpoint-every-records=" + AUDIT_CHECKPOINT_EVERY_RECORDS,
                    "--spi-events-listener--mcias-audit--checkpoint-interval-seconds="
                            + AUDIT_CHECKPOINT_INTERVAL_SECONDS,
                    "--spi-realm-restapi-extension--audit--retention-days=" + AUDIT_RETENTION_DAYS,
                    "--spi-password-hashing--argon2id--max-concurrent=" + ARGON2_MAX_CONCURRENT));
            options.addAll(webhookOptions());
            return options;
        }

        /** The audit webhooks' signing secrets: one for every realm, generated per run. */
        public static final Path WEBHOOK_SECRET_FILE = KEY_FILE.resolveSibling("audit-webhook.secrets");
        /** Client timeout of one webhook attempt: receivers that sleep past it test timeouts quickly. */
        public static final int WEBHOOK_TIMEOUT_MILLIS = 3000;
        public static final int WEBHOOK_MAX_ATTEMPTS = 3;

        private static String webhookSecret;

        /** The {@code whsec_} secret in {@link #WEBHOOK_SECRET_FILE}, written once per run. */
        public static synchronized String webhookSecret() {
            if (webhookSecret == null) {
                byte[] key = new byte[32];
                new java.security.SecureRandom().nextBytes(key);
                webhookSecret = "whsec_" + java.util.Base64.getEncoder().encodeToString(key);
                try {
                    Files.createDirectories(WEBHOOK_SECRET_FILE.getParent());
                    Files.writeString(WEBHOOK_SECRET_FILE, "# generated by the test run\n*:" + webhookSecret + "\n");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return webhookSecret;
        }

        /**
         * The one internal destination test servers may deliver webhooks to: the tests' receivers listen on
         * 127.0.0.1 (any other internal address stays refused, which AuditWebhookIT relies on).
         */
        public static final String WEBHOOK_ALLOWED_DESTINATIONS = "127.0.0.1";

        /**
         * Webhook options with short timeouts and backoff (webhooks stay off in every realm until a test sets the
         * realm attribute, so other tests are not affected); also for the servers a test starts itself.
         */
        public static List<String> webhookOptions() {
            webhookSecret();
            String p = "--spi-events-listener--mcias-audit--webhook-";
            return List.of(p + "secret-file=" + WEBHOOK_SECRET_FILE.toAbsolutePath(),
                    p + "timeout-millis=" + WEBHOOK_TIMEOUT_MILLIS, p + "max-attempts=" + WEBHOOK_MAX_ATTEMPTS,
                    p + "backoff-initial-millis=300", p + "backoff-max-millis=1000", p + "poll-interval-seconds=2",
                    p + "allowed-destinations=" + WEBHOOK_ALLOWED_DESTINATIONS);
        }

        private static byte[] auditKey;

        /** The key in {@link #AUDIT_KEY_FILE}, written once per run. */
        public static synchronized byte[] auditKey() {
            if (auditKey == null) {
                auditKey = new byte[32];
                new java.security.SecureRandom().nextBytes(auditKey);
            }
            return auditKey.clone();
        }

        /** The checkpoint options alone (cluster nodes take these, not the single server's defaults). */
        static List<String> checkpointOptions() {
            writeCheckpointKey();
            return List.of("--spi-events-listener--mcias-audit--checkpoint-key-file="
                            + AUDIT_CHECKPOINT_KEY_FILE.toAbsolutePath(),
                    "--spi-events-listener--mcias-audit--checkpoint-every-records=" + AUDIT_CHECKPOINT_EVERY_RECORDS,
                    "--spi-events-listener--mcias-audit--checkpoint-interval-seconds="
                            + AUDIT_CHECKPOINT_INTERVAL_SECONDS);
        }

        private static void writeCheckpointKey() {
            try {
                if (!Files.exists(AUDIT_CHECKPOINT_KEY_FILE)) {
                    byte[] seed = new byte[32];
                    new java.security.SecureRandom().nextBytes(seed);
                    Files.createDirectories(AUDIT_CHECKPOINT_KEY_FILE.getParent());
                    Files.writeString(AUDIT_CHECKPOINT_KEY_FILE, "# generated by the test run\n"
                            + AUDIT_CHECKPOINT_KEY_ID + ":" + java.util.Base64.getEncoder().encodeToString(seed) + "\n");
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private static void writeAuditKey() {
            try {
                Files.createDirectories(AUDIT_KEY_FILE.getParent());
                Files.writeString(AUDIT_KEY_FILE, "# generated by the test run\n" + AUDIT_KEY_ID + ":"
                        + java.util.Base64.getEncoder().encodeToString(auditKey()) + "\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** Every key generated in this run, by id: a key removed from the file can be put back. */
        private static final java.util.Map<String, String> KEYS = new java.util.HashMap<>();

        /** Writes the key file with these key ids (the first one encrypts); an id keeps its key for the run. */
        public static synchronized void writeKeys(List<String> ids) {
            try {
                StringBuilder out = new StringBuilder();
                for (String id : ids) {
                    String key = KEYS.computeIfAbsent(id, k -> {
                        byte[] b = new byte[32];
                        new java.security.SecureRandom().nextBytes(b);
                        return java.util.Base64.getEncoder().encodeToString(b);
                    });
                    out.append(id).append(':').append(key).append('\n');
                }
                Files.createDirectories(KEY_FILE.getParent());
                // Written beside and moved into place, so the server never reads a half-written file.
                Path tmp = KEY_FILE.resolveSibling(KEY_FILE.getFileName() + ".tmp");
                Files.writeString(tmp, out.toString());
                Files.move(tmp, KEY_FILE, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
