package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.ctl.Run;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.DocBlocks;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.OwnServer;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInstance;

/**
 * Backup and restore as docs/operations.md describes them, with the doc's own commands (the blocks after
 * {@code <!-- BackupRestoreIT: NAME -->}): a server holding a system account with an issued token, static and
 * dynamic database credentials, a pending invite, a members-only app and a checkpointed audit chain is backed up
 * ({@code pg_dump} on PostgreSQL, a copy of {@code .local/} while stopped on H2) and restored on a server of its
 * own. Started without the db-credentials key file, it refuses every credential operation and changes nothing;
 * started with the same key files, everything works as before. Three server boots per database.
 */
@OwnServer
class BackupRestoreIT {

    static final Path WORK = Path.of(System.getProperty("kc.test.work.dir", "target/it-work")).toAbsolutePath();
    static final String DB_KEY_OPTION = "--spi-realm-restapi-extension--db-credentials--key-file=";
    static final String DOC = "operations.md";
    static final String TAG = "BackupRestoreIT";

    /** The PostgreSQL database the stored credentials point at (on the H2 run too), and its roles. */
    static final String SUFFIX = RealmFixtures.unique("x").substring(2);
    static final String TARGET_DB = "mcias_bkp_" + SUFFIX;
    static final String GROUP = "bkp_readers_" + SUFFIX;
    static final String STATIC_USER = "bkp_static_" + SUFFIX;
    static final String STATIC_PASSWORD = "static-" + SUFFIX + "-Pw0rd";
    static final String CREATOR = "bkp_creator_" + SUFFIX;
    static final String CREATOR_PASSWORD = "creator-" + SUFFIX + "-Pw0rd";

    @BeforeAll
    static void targetDatabase() throws Exception {
        try (Connection c = TestDatabase.connect("postgres"); Statement s = c.createStatement()) {
            // Password authentication for these roles where the machine enforces it (.ci/postgres-password-auth.sh).
            String pwauth;
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = 'mcias_pwauth'")) {
                pwauth = rs.next() ? " IN ROLE mcias_pwauth" : "";
            }
            s.execute("CREATE DATABASE " + TARGET_DB);
            s.execute("CREATE ROLE " + GROUP + " NOLOGIN" + pwauth);
            s.execute("CREATE ROLE " + STATIC_USER + " LOGIN PASSWORD '" + STATIC_PASSWORD + "'" + pwauth);
            s.execute("GRANT " + GROUP + " TO " + STATIC_USER);
            s.execute("CREATE ROLE " + CREATOR + " LOGIN CREATEROLE PASSWORD '" + CREATOR_PASSWORD + "'" + pwauth);
        }
        try (Connection c = TestDatabase.connect(TARGET_DB); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id int primary key, name text)");
            s.execute("INSERT INTO items VALUES (1, 'one')");
            s.execute("GRANT SELECT ON items TO " + GROUP);
        }
    }

    @AfterAll
    static void dropTargetDatabase() throws Exception {
        try (Connection c = TestDatabase.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + TARGET_DB + " WITH (FORCE)");
            for (String r : dynamicRoles()) {
                s.execute("DROP ROLE IF EXISTS \"" + r + "\"");
            }
            s.execute("DROP ROLE IF EXISTS " + STATIC_USER);
            s.execute("DROP ROLE IF EXISTS " + CREATOR);
            s.execute("DROP ROLE IF EXISTS " + GROUP);
        }
    }

    /** The generated roles of this class's dynamic credentials (members of its group). */
    static List<String> dynamicRoles() throws SQLException {
        List<String> roles = new ArrayList<>();
        try (Connection c = TestDatabase.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT rolname FROM pg_roles WHERE rolname LIKE 'mcias_dyn_%'"
                     + " AND pg_has_role(rolname, '" + GROUP + "', 'MEMBER')")) {
            while (rs.next()) {
                roles.add(rs.getString(1));
            }
        }
        return roles;
    }

    /** Logs in to the target database with returned credentials and reads what the group may read. */
    static void assertConnects(JsonNode credentials) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", credentials.path("username").asText());
        p.setProperty("password", credentials.path("password").asText());
        p.setProperty("sslmode", "disable");
        p.setProperty("connectTimeout", "5");
        try (Connection c = DriverManager.getConnection(TestDatabase.jdbcUrl(TARGET_DB), p);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT name FROM items WHERE id = 1")) {
            assertTrue(rs.next());
            assertEquals("one", rs.getString(1));
        }
    }

    /** The key files of a deployment, named as run-local.sh names them. */
    record KeyFiles(Path dbCredentials, Path fingerprint, Path checkpoint) {

        static KeyFiles in(Path dir) {
            return new KeyFiles(dir.resolve("db-credentials.keys"), dir.resolve("audit-fingerprint.key"),
                    dir.resolve("audit-checkpoint.key"));
        }

        KeyFiles write() throws IOException {
            Files.createDirectories(dbCredentials.getParent());
            Files.writeString(dbCredentials, "k1:" + random32() + "\n");
            Files.writeString(fingerprint, "a1:" + random32() + "\n");
            Files.writeString(checkpoint, "c1:" + random32() + "\n");
            return this;
        }

        static String random32() {
            byte[] b = new byte[32];
            new SecureRandom().nextBytes(b);
            return Base64.getEncoder().encodeToString(b);
        }

        String dbCredentialsOption() {
            return DB_KEY_OPTION + dbCredentials.toAbsolutePath();
        }

        /** Checkpoints every 5 records and every 5 s, so the backup has a fresh one without waiting long. */
        List<String> options() {
            String audit = "--spi-events-listener--mcias-audit--";
            return List.of(dbCredentialsOption(),
                    audit + "fingerprint-key-file=" + fingerprint.toAbsolutePath(),
                    audit + "checkpoint-key-file=" + checkpoint.toAbsolutePath(),
                    audit + "checkpoint-every-records=5", audit + "checkpoint-interval-seconds=5");
        }
    }

    /** What the original server held at backup time. */
    static final class Estate {
        final String admin = RealmFixtures.unique("bkp-admin");
        final String account = RealmFixtures.unique("bkp-static");
        final String dynamicAccount = RealmFixtures.unique("bkp-dynamic");
        final String app = RealmFixtures.unique("bkp-members");
        final String member = RealmFixtures.unique("bkp-member");
        final String outsider = RealmFixtures.unique("bkp-outsider");
        String mciasToken;
        /** The generated role of the one dynamic read before the backup. */
        String dynamicRole;
        String inviteId;
        String inviteToken;
        /** The newest checkpoint's position, and the public keys kept apart from the database. */
        long signedSeq;
        String publicKeys;

        Map<String, Object> staticBody() {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("mode", "static");
            b.put("host", TestDatabase.PG_HOST);
            b.put("port", TestDatabase.PG_PORT);
            b.put("database", TARGET_DB);
            b.put("username", STATIC_USER);
            b.put("password", STATIC_PASSWORD);
            b.put("sslmode", "disable");
            return b;
        }

        Map<String, Object> dynamicBody() {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("mode", "dynamic");
            b.put("host", TestDatabase.PG_HOST);
            b.put("port", TestDatabase.PG_PORT);
            b.put("database", TARGET_DB);
            b.put("username", CREATOR);
            b.put("password", CREATOR_PASSWORD);
            b.put("sslmode", "disable");
            b.put("group_role", GROUP);
            b.put("ttl_seconds", 600);
            return b;
        }

        /** Fills the original server; each piece is checked to work there first. */
        void populate(KeycloakApi api) throws Exception {
            RealmFixtures fx = new RealmFixtures(api);
            fx.ensurePasswordGrantClient();
            fx.grantRealmRole(fx.createUser(admin, RealmFixtures.DEFAULT_PASSWORD), "admin");
            String bearer = adminBearer(api);

            api.postJson(api.realmUrl("/system-accounts"), bearer, Map.of("name", account)).expect(201);
            mciasToken = api.send("POST", api.realmUrl("/system-accounts/" + account + "/token"), bearer, null, null)
                    .expect(200).json().path("token").asText();
            fx.systemAccountAccessToken(account, mciasToken, "mcias-api");
            api.putJson(api.realmUrl("/db-credentials/" + account), bearer, staticBody()).expect(200);
            assertConnects(api.get(api.realmUrl("/db-credentials/" + account), bearer).expect(200).json());

            api.postJson(api.realmUrl("/system-accounts"), bearer, Map.of("name", dynamicAccount)).expect(201);
            api.putJson(api.realmUrl("/db-credentials/" + dynamicAccount), bearer, dynamicBody()).expect(200);
            JsonNode dynamic = api.get(api.realmUrl("/db-credentials/" + dynamicAccount), bearer).expect(200).json();
            assertConnects(dynamic);
            dynamicRole = dynamic.path("username").asText();

            JsonNode invite = api.postJson(api.realmUrl("/invites"), bearer, Map.of()).expect(201).json();
            inviteId = invite.path("id").asText();
            inviteToken = InvitesIT.token(invite);

            String token = api.adminToken();
            api.postJson(api.adminRealmUrl("/clients"), token, Map.of("clientId", app, "enabled", true,
                    "publicClient", true, "directAccessGrantsEnabled", true, "standardFlowEnabled", false,
                    "attributes", Map.of("mcias.members-only", "true"))).expect(201);
            api.postJson(api.adminRealmUrl("/roles"), token, Map.of("name", "app:" + app)).expect(201);
            fx.grantRealmRole(fx.createUser(member, RealmFixtures.DEFAULT_PASSWORD), "app:" + app);
            fx.createUser(outsider, RealmFixtures.DEFAULT_PASSWORD);
            assertEquals(200, appPasswordGrant(api, member).status());

            // The backup holds a checkpoint that signs the newest record, and the public keys are kept apart.
            long newest = api.get(api.realmUrl("/audit/events?limit=1"), bearer).expect(200).json().path("events")
                    .get(0).path("seq").asLong();
            JsonNode verified = Await.value("a checkpoint signing record " + newest, Duration.ofSeconds(90), () -> {
                JsonNode v = api.get(api.realmUrl("/audit/verify"), adminBearer(api)).expect(200).json();
                return v.path("signed_through").path("seq").asLong(0) >= newest ? v : null;
            });
            assertTrue(verified.path("ok").asBoolean(), verified.toString());
            signedSeq = verified.path("signed_through").path("seq").asLong();
            publicKeys = api.get(api.realmUrl("/audit/checkpoint-keys"), null).expect(200).body();
        }

        String adminBearer(KeycloakApi api) {
            return new RealmFixtures(api).passwordGrant(admin, RealmFixtures.DEFAULT_PASSWORD).expect(200).json()
                    .path("access_token").asText();
        }

        KeycloakApi.Response appPasswordGrant(KeycloakApi api, String username) {
            return api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of("grant_type", "password",
                    "client_id", app, "username", username, "password", RealmFixtures.DEFAULT_PASSWORD,
                    "scope", "openid"));
        }
    }

    /** Runs the commands of a doc block in {@code dir}, each word replaced as {@code words} says; all must exit 0. */
    static void runDocBlock(String name, Path dir, Map<String, String> words, Path log) throws Exception {
        List<List<String>> commands = DocBlocks.commands(DocBlocks.block(DOC, TAG, name));
        assertFalse(commands.isEmpty(), name);
        for (List<String> command : commands) {
            List<String> cmd = command.stream().map(w -> words.getOrDefault(w, w)).toList();
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("PGPORT", String.valueOf(TestDatabase.PG_PORT));
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(name + ": " + cmd + " did not finish; see " + log);
            }
            assertEquals(0, p.exitValue(), name + ": " + cmd + " failed; see " + log);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * One backup and restore: the original server filled and backed up ({@link #backUpAndRestore}), then the
     * restored data started without the db-credentials key file, then with the same key files.
     */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestClassOrder(ClassOrderer.OrderAnnotation.class)
    abstract class BackedUpAndRestored {

        final Estate estate = new Estate();
        DistributionKeycloakServer original;
        /** The restored data, not started; the key files it is started with. */
        DistributionKeycloakServer restored;
        KeyFiles restoredKeys;

        abstract String database();

        /** Starts the original, fills it ({@link Estate#populate}), backs it up, stops it and restores the data. */
        abstract void backUpAndRestore() throws Exception;

        @BeforeAll
        void backUp() throws Exception {
            assumeTrue(database().equals(System.getProperty("kc.test.db", "h2")),
                    "runs in the " + database() + " execution");
            backUpAndRestore();
        }

        @AfterAll
        void close() {
            try {
                if (restored != null) {
                    restored.close();
                }
            } finally {
                if (original != null) {
                    original.close();
                }
            }
        }

        KeycloakApi api() {
            return new KeycloakApi(restored);
        }

        String credentialsUrl(KeycloakApi api, String account) {
            return api.realmUrl("/db-credentials/" + account);
        }

        @Nested
        @Order(1)
        @TestInstance(TestInstance.Lifecycle.PER_CLASS)
        class StartedWithoutTheDbCredentialsKeyFile {

            @BeforeAll
            void start() {
                restored.withoutOption(DB_KEY_OPTION);
                restored.start();
            }

            @AfterAll
            void stop() {
                restored.stop();
            }

            @Test
            void readingStoringAndRotatingAnswer503NotConfiguredAndDecryptNothing() throws Exception {
                KeycloakApi api = api();
                String admin = estate.adminBearer(api);
                List<String> rolesBefore = dynamicRoles();
                for (String account : List.of(estate.account, estate.dynamicAccount)) {
                    KeycloakApi.Response read = api.get(credentialsUrl(api, account), admin);
                    assertEquals(503, read.status(), read.body());
                    assertEquals("not_configured", read.json().path("error").asText(), read.body());
                    assertFalse(read.body().contains(STATIC_PASSWORD) || read.body().contains(CREATOR_PASSWORD),
                            read.body());
                }
                assertEquals(rolesBefore, dynamicRoles(), "no dynamic role made without the key");

                // An attempt to overwrite: refused, and the stored credentials stay (the restart with the key reads
                // the original password).
                Map<String, Object> other = estate.staticBody();
                other.put("password", "overwritten-" + SUFFIX);
                KeycloakApi.Response put = api.putJson(credentialsUrl(api, estate.account), admin, other);
                assertEquals(503, put.status(), put.body());
                assertEquals("not_configured", put.json().path("error").asText());
                KeycloakApi.Response rotate = api.send("POST", api.realmUrl("/db-credentials/-/rotate-keys"), admin,
                        null, null);
                assertEquals(503, rotate.status(), rotate.body());
                // An unknown account is still just unknown: the missing key is no oracle for which accounts exist.
                assertEquals(404, api.get(credentialsUrl(api, "no-such-account"), admin).status());
            }
        }

        @Nested
        @Order(2)
        @TestInstance(TestInstance.Lifecycle.PER_CLASS)
        class StartedWithTheSameKeyFiles {

            @BeforeAll
            void start() {
                restored.withOption(restoredKeys.dbCredentialsOption());
                restored.start();
            }

            @AfterAll
            void stop() {
                restored.stop();
            }

            @Test
            void theIssuedSystemAccountTokenStillWorksAndReadsItsCredentials() throws Exception {
                KeycloakApi api = api();
                String bearer = new RealmFixtures(api).systemAccountAccessToken(estate.account, estate.mciasToken,
                        "mcias-api");
                JsonNode c = api.get(credentialsUrl(api, estate.account), bearer).expect(200).json();
                assertEquals(STATIC_PASSWORD, c.path("password").asText(), "nothing overwritten without the key");
                assertConnects(c);
                assertEquals(401, api.clientCredentials(estate.account, estate.mciasToken + "x", "mcias-api")
                        .status());
            }

            @Test
            void staticAndDynamicCredentialsDecryptAndConnect() throws Exception {
                KeycloakApi api = api();
                String admin = estate.adminBearer(api);
                JsonNode fixed = api.get(credentialsUrl(api, estate.account), admin).expect(200).json();
                assertEquals(STATIC_USER, fixed.path("username").asText());
                assertEquals(STATIC_PASSWORD, fixed.path("password").asText());
                assertConnects(fixed);
                List<String> before = dynamicRoles();
                JsonNode dynamic = api.get(credentialsUrl(api, estate.dynamicAccount), admin).expect(200).json();
                assertTrue(dynamic.path("username").asText().startsWith("mcias_dyn_"), dynamic.toString());
                assertFalse(before.contains(dynamic.path("username").asText()), "a new role, made with the "
                        + "restored connection role's password");
                assertConnects(dynamic);
            }

            @Test
            void thePendingInviteIsRedeemedOnce() {
                KeycloakApi api = api();
                KeycloakApi.Response form = api.get(api.realmUrl("/invites/accept?invite=" + estate.inviteToken), null)
                        .expect(200);
                String friend = RealmFixtures.unique("bkp-friend");
                KeycloakApi.Response first = TwoNodesIT.redeem(api, estate.inviteToken, friend,
                        InvitesIT.formNonce(form), InvitesIT.formCookie(form));
                assertTrue(TwoNodesIT.signedIn(first), first.status() + " " + TwoNodesIT.formErrors(first.body()));
                KeycloakApi.Response replay = TwoNodesIT.redeem(api, estate.inviteToken, friend + "-2",
                        InvitesIT.formNonce(form), InvitesIT.formCookie(form));
                assertEquals(404, replay.status(), TwoNodesIT.formErrors(replay.body()).toString());
                KeycloakApi.Response again = api.get(api.realmUrl("/invites/accept?invite=" + estate.inviteToken),
                        null);
                assertEquals(404, again.status());
                assertTrue(again.body().contains("mcias-invite-invalid"), again.body());
                JsonNode shown = api.get(api.realmUrl("/invites/" + estate.inviteId), estate.adminBearer(api))
                        .expect(200).json();
                assertEquals("used", shown.path("status").asText(), shown.toString());
                assertEquals(friend, shown.path("used_by").asText());
            }

            @Test
            void theMembersOnlyAppStillRefusesNonMembers() {
                KeycloakApi api = api();
                KeycloakApi.Response outsider = estate.appPasswordGrant(api, estate.outsider);
                assertEquals(400, outsider.status(), outsider.body());
                assertEquals("access_denied", outsider.json().path("error").asText(), outsider.body());
                assertFalse(outsider.body().contains("access_token"));
                assertEquals(200, estate.appPasswordGrant(api, estate.member).status());
            }

            @Test
            void theAuditChainVerifiesOnlineAndOfflineWithTheKeptPublicKeys() throws Exception {
                KeycloakApi api = api();
                String admin = estate.adminBearer(api);
                JsonNode v = api.get(api.realmUrl("/audit/verify"), admin).expect(200).json();
                assertTrue(v.path("ok").asBoolean(), v.toString());
                assertTrue(v.path("signed_through").path("seq").asLong() >= estate.signedSeq, v.toString());

                Path dir = WORK.resolve("backup-restore-" + database() + "-verify");
                deleteRecursively(dir);
                Files.createDirectories(dir);
                Path export = dir.resolve("audit.ndjson");
                Files.writeString(export, api.get(api.realmUrl("/audit/export?format=ndjson"), admin).expect(200)
                        .body());
                Path keys = dir.resolve("keys.json");
                Files.writeString(keys, estate.publicKeys);
                Run.Result offline = Run.run(Map.of("XDG_CONFIG_HOME", dir.toString(), "HOME", dir.toString()), null,
                        "-o", "json", "audit", "verify", "--file", export.toString(), "--public-key", keys.toString());
                assertEquals(0, offline.code(), offline.toString());
                JsonNode report = KeycloakApi.JSON.readTree(offline.out());
                assertTrue(report.path("ok").asBoolean(), offline.out());
            }
        }
    }

    @Nested
    class GivenAPgDumpRestoredIntoANewDatabase extends BackedUpAndRestored {

        /** A dynamic role handed out after the dump, before the original stopped. */
        String lateRole;

        @Test
        void aDynamicRoleHandedOutAfterTheDumpIsUnknownToTheRestoredDatabaseAndExpiresOnItsOwn() throws Exception {
            try (Connection c = TestDatabase.connect(restored.testDatabase().pgDatabase());
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT role_name FROM mcias_db_dynamic_role")) {
                List<String> listed = new ArrayList<>();
                while (rs.next()) {
                    listed.add(rs.getString(1));
                }
                assertTrue(listed.contains(estate.dynamicRole), listed.toString());
                assertFalse(listed.contains(lateRole), "the reaper of the restored server never drops " + lateRole);
            }
            try (Connection c = TestDatabase.connect("postgres");
                 PreparedStatement s = c.prepareStatement("SELECT rolvaliduntil FROM pg_roles WHERE rolname = ?")) {
                s.setString(1, lateRole);
                try (ResultSet rs = s.executeQuery()) {
                    assertTrue(rs.next(), lateRole + " still exists");
                    Timestamp until = rs.getTimestamp(1);
                    assertTrue(until != null && until.toInstant().isBefore(Instant.now().plusSeconds(601)),
                            "its login ends at its expiry: " + until);
                }
            }
        }

        @Override
        String database() {
            return "postgres";
        }

        @Override
        void backUpAndRestore() throws Exception {
            Path dir = WORK.resolve("backup-restore-postgres");
            deleteRecursively(dir);
            Files.createDirectories(dir);
            KeyFiles keys = KeyFiles.in(dir.resolve("keys")).write();
            original = new DistributionKeycloakServer(DistributionKeycloakServer.installedCopy("backup-pg-original"),
                    TestDatabase.freshPostgres(), keys.options(), dir.resolve("keycloak-original.log"))
                    .startOrClose();
            estate.populate(new KeycloakApi(original));

            // The doc's names, word for word: its host and roles are this machine's, its database names ours.
            TestDatabase target = TestDatabase.freshPostgres();
            restoredKeys = keys;
            restored = new DistributionKeycloakServer(DistributionKeycloakServer.installedCopy("backup-pg-restored"),
                    target, keys.options(), dir.resolve("keycloak-restored.log"), original.adminPassword());
            Path dump = dir.resolve("keycloak.dump");
            Map<String, String> words = Map.of(
                    "--host=db.internal", "--host=" + TestDatabase.PG_HOST,
                    "--username=keycloak", "--username=" + TestDatabase.PG_ADMIN_USER,
                    "--username=postgres", "--username=" + TestDatabase.PG_ADMIN_USER,
                    "--owner=keycloak", "--owner=" + TestDatabase.PG_ADMIN_USER,
                    "--file=keycloak.dump", "--file=" + dump,
                    "keycloak", original.testDatabase().pgDatabase(),
                    "keycloak_restored", target.pgDatabase(),
                    "--dbname=keycloak_restored", "--dbname=" + target.pgDatabase(),
                    "keycloak.dump", dump.toString());
            Path log = dir.resolve("pg-commands.log");
            runDocBlock("pg-dump", dir, words, log);
            KeycloakApi originalApi = new KeycloakApi(original);
            lateRole = originalApi.get(originalApi.realmUrl("/db-credentials/" + estate.dynamicAccount),
                    estate.adminBearer(originalApi)).expect(200).json().path("username").asText();
            original.stop();
            // The doc creates the database itself: the fresh one goes, its name stays ours (dropped at the end).
            try (Connection c = TestDatabase.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE " + target.pgDatabase());
            }
            runDocBlock("pg-restore", dir, words, log);
        }
    }

    @Nested
    class GivenACopyOfTheRunLocalFolderTakenWhileStopped extends BackedUpAndRestored {

        @Override
        String database() {
            return "h2";
        }

        @Override
        void backUpAndRestore() throws Exception {
            // run-local.sh's layout: the distribution and the key files in .local/ of the checkout.
            Path dir = WORK.resolve("backup-restore-h2");
            deleteRecursively(dir);
            String distribution = Path.of(System.getProperty("keycloak.home")).getFileName().toString();
            Path site = dir.resolve("site");
            Path home = DistributionKeycloakServer.installedCopy(WORK.relativize(site.resolve(".local")
                    .resolve(distribution)).toString());
            KeyFiles keys = KeyFiles.in(site.resolve(".local")).write();
            original = new DistributionKeycloakServer(home, TestDatabase.fromSystemProperty(), keys.options(),
                    dir.resolve("keycloak-original.log")).startOrClose();
            estate.populate(new KeycloakApi(original));
            original.stop();

            Path backup = dir.resolve("backup/mcias-local");
            Files.createDirectories(backup.getParent());
            Map<String, String> words = Map.of("/media/backup/mcias-local", backup.toString());
            Path log = dir.resolve("copy-commands.log");
            runDocBlock("h2-backup", site, words, log);
            deleteRecursively(site);
            // Restored into another checkout, as after losing the first one.
            Path other = Files.createDirectories(dir.resolve("restored-site"));
            runDocBlock("h2-restore", other, words, log);

            restoredKeys = KeyFiles.in(other.resolve(".local"));
            restored = new DistributionKeycloakServer(other.resolve(".local").resolve(distribution),
                    TestDatabase.fromSystemProperty(), restoredKeys.options(), dir.resolve("keycloak-restored.log"),
                    original.adminPassword());
        }
    }
}
