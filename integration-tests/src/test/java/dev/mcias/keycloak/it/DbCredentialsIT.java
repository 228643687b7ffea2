package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.dbcredentials.DbCredentialSpec;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.Await;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.SharedServerTest;
import dev.mcias.keycloak.it.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Database credentials against the real PostgreSQL on 127.0.0.1:5432. Members of {@code mcias_pwauth} must use
 * SCRAM there (.ci/postgres-password-auth.sh), so returned passwords and VALID UNTIL are really enforced.
 */
class DbCredentialsIT extends SharedServerTest {

    static final String SUFFIX = RealmFixtures.unique("x").substring(2);
    static final String DB = "mcias_dbc_" + SUFFIX;
    static final String GROUP = "app_readers_" + SUFFIX;
    static final String STATIC_USER = "app_static_" + SUFFIX;
    static final String STATIC_PASSWORD = "static-" + SUFFIX + "-Pw0rd";
    static final String CREATOR = "mcias_creator_" + SUFFIX;
    static final String CREATOR_PASSWORD = "creator-" + SUFFIX + "-Pw0rd";
    /** A second connection role, for tests that break its login. */
    static final String CREATOR2 = "mcias_creator2_" + SUFFIX;
    /** Connection roles lacking what dynamic mode needs. */
    static final String NO_CREATEROLE = "mcias_weak_" + SUFFIX;
    static final String NO_INHERIT = "mcias_noinherit_" + SUFFIX;
    /** Another database, where the reaper cannot reach what a role owns. */
    static final String OTHER_DB = DB + "_other";

    String admin;

    @BeforeAll
    static void database() throws Exception {
        try (Connection c = TestDatabase.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DB);
            s.execute("CREATE ROLE " + GROUP + " NOLOGIN IN ROLE mcias_pwauth");
            s.execute("CREATE ROLE " + STATIC_USER + " LOGIN PASSWORD '" + STATIC_PASSWORD + "' IN ROLE mcias_pwauth, "
                    + GROUP);
            s.execute("CREATE ROLE " + CREATOR + " LOGIN CREATEROLE PASSWORD '" + CREATOR_PASSWORD
                    + "' IN ROLE mcias_pwauth");
            s.execute("CREATE ROLE " + CREATOR2 + " LOGIN CREATEROLE PASSWORD '" + CREATOR_PASSWORD
                    + "' IN ROLE mcias_pwauth");
            s.execute("CREATE ROLE " + NO_CREATEROLE + " LOGIN PASSWORD '" + CREATOR_PASSWORD + "' IN ROLE mcias_pwauth");
            s.execute("CREATE ROLE " + NO_INHERIT + " LOGIN CREATEROLE NOINHERIT PASSWORD '" + CREATOR_PASSWORD
                    + "' IN ROLE mcias_pwauth");
            s.execute("CREATE DATABASE " + OTHER_DB);
        }
        try (Connection c = TestDatabase.connect(DB); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id int primary key, name text)");
            s.execute("INSERT INTO items VALUES (1, 'one')");
            s.execute("GRANT SELECT ON items TO " + GROUP);
        }
        // Fails here, clearly, when PostgreSQL still trusts these roles.
        assertThrows(SQLException.class, () -> login(STATIC_USER, "wrong").close(),
                "PostgreSQL must require passwords for mcias_pwauth members: run .ci/postgres-password-auth.sh");
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        try (Connection c = TestDatabase.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
            s.execute("DROP DATABASE IF EXISTS " + OTHER_DB + " WITH (FORCE)");
            try (ResultSet rs = s.executeQuery("SELECT rolname FROM pg_roles WHERE rolname LIKE 'mcias_dyn_%'"
                    + " AND pg_has_role(rolname, '" + GROUP + "', 'MEMBER')")) {
                List<String> left = new ArrayList<>();
                while (rs.next()) {
                    left.add(rs.getString(1));
                }
                for (String r : left) {
                    s.execute("DROP ROLE IF EXISTS \"" + r + "\"");
                }
            }
            s.execute("DROP ROLE IF EXISTS " + STATIC_USER);
            s.execute("DROP ROLE IF EXISTS " + CREATOR);
            s.execute("DROP ROLE IF EXISTS " + CREATOR2);
            s.execute("DROP ROLE IF EXISTS " + NO_CREATEROLE);
            s.execute("DROP ROLE IF EXISTS " + NO_INHERIT);
            s.execute("DROP ROLE IF EXISTS " + GROUP);
        }
    }

    static Connection login(String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("sslmode", "disable");
        p.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(TestDatabase.jdbcUrl(DB), p);
    }

    @BeforeEach
    void anAdmin() {
        admin = fx.userWithRoles("dbc-admin", "admin");
    }

    String url(String path) {
        return api.realmUrl("/db-credentials" + path);
    }

    String account() {
        String name = RealmFixtures.unique("dbc");
        api.postJson(api.realmUrl("/system-accounts"), admin, Map.of("name", name)).expect(201);
        return name;
    }

    String accountBearer(String name) {
        String token = api.send("POST", api.realmUrl("/system-accounts/" + name + "/token"), admin, null, null)
                .expect(200).json().path("token").asText();
        return fx.systemAccountAccessToken(name, token, "mcias-api");
    }

    Map<String, Object> staticBody() {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("mode", "static");
        b.put("host", TestDatabase.PG_HOST);
        b.put("port", TestDatabase.PG_PORT);
        b.put("database", DB);
        b.put("username", STATIC_USER);
        b.put("password", STATIC_PASSWORD);
        b.put("sslmode", "disable");
        return b;
    }

    Map<String, Object> dynamicBody(int port, long ttl) {
        return dynamicBody(port, ttl, CREATOR);
    }

    Map<String, Object> dynamicBody(int port, long ttl, String creator) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("mode", "dynamic");
        b.put("host", TestDatabase.PG_HOST);
        b.put("port", port);
        b.put("database", DB);
        b.put("username", creator);
        b.put("password", CREATOR_PASSWORD);
        b.put("sslmode", "disable");
        b.put("group_role", GROUP);
        b.put("ttl_seconds", ttl);
        return b;
    }

    String rawCredentialRows() throws Exception {
        if (!(api.server() instanceof DistributionKeycloakServer s) || s.testDatabase().pgDatabase() == null) {
            return "";
        }
        StringBuilder all = new StringBuilder();
        try (Connection c = TestDatabase.connect(s.testDatabase().pgDatabase()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select * from mcias_db_credential")) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    all.append(rs.getString(i)).append('|');
                }
            }
        }
        return all.toString();
    }

    @Test
    void staticCredentialsForEveryAllowedReaderAndKeyRotation() throws Exception {
        String name = account();
        KeycloakApi.Response set = api.putJson(url("/" + name), admin, staticBody()).expect(200);
        assertFalse(set.body().contains(STATIC_PASSWORD), "PUT answer never echoes the password");
        String holder = fx.userWithRoles("dbc-holder", name);
        for (String reader : List.of(admin, holder, accountBearer(name))) {
            KeycloakApi.Response r = api.get(url("/" + name), reader).expect(200);
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
            JsonNode c = r.json();
            assertEquals(STATIC_USER, c.path("username").asText());
            assertTrue(c.path("uri").asText().startsWith("postgresql://" + STATIC_USER + ":"));
            try (Connection conn = login(c.path("username").asText(), c.path("password").asText());
                 Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("select name from items")) {
                assertTrue(rs.next());
                assertEquals("one", rs.getString(1));
            }
        }
        String raw = rawCredentialRows();
        assertFalse(raw.contains(STATIC_PASSWORD), "no plaintext in the stored row");

        // Rotation: add k2 in front, re-encrypt, retire k1.
        KeycloakExtension.ServerOptions.writeKeys(List.of("k2", "k1"));
        JsonNode rotated = api.send("POST", url("/-/rotate-keys"), admin, null, null).expect(200).json();
        assertEquals("k2", rotated.path("key_id").asText());
        assertTrue(rotated.path("rotated").asInt() >= 1);
        KeycloakExtension.ServerOptions.writeKeys(List.of("k2"));
        assertEquals(STATIC_PASSWORD, api.get(url("/" + name), admin).expect(200).json().path("password").asText());

        // A missing key fails loudly at read time and changes nothing.
        String before = rawCredentialRows();
        KeycloakExtension.ServerOptions.writeKeys(List.of("k3"));
        KeycloakApi.Response broken = api.get(url("/" + name), admin);
        assertEquals(500, broken.status());
        assertEquals("key_unavailable", broken.json().path("error").asText());
        assertFalse(broken.body().contains(STATIC_PASSWORD));
        assertEquals(409, api.send("POST", url("/-/rotate-keys"), admin, null, null).status());
        assertEquals(before, rawCredentialRows(), "nothing was rewritten");
        KeycloakExtension.ServerOptions.writeKeys(List.of("k2"));
        assertEquals(STATIC_PASSWORD, api.get(url("/" + name), admin).expect(200).json().path("password").asText());
    }

    @Test
    void authorizationMatrix() {
        String a = account();
        String b = account();
        api.putJson(url("/" + a), admin, staticBody()).expect(200);
        Map<String, String> callers = new LinkedHashMap<>();
        callers.put("anonymous", null);
        callers.put("plain user", fx.userWithRoles("dbc-plain"));
        callers.put("holder of A's role", fx.userWithRoles("dbc-holder-a", a));
        callers.put("holder of B's role", fx.userWithRoles("dbc-holder-b", b));
        callers.put("admin", admin);
        callers.put("account A", accountBearer(a));
        callers.put("account B", accountBearer(b));
        // GET /A, PUT /A, GET /unknown
        Map<String, int[]> expected = new LinkedHashMap<>();
        expected.put("anonymous", new int[] {401, 401, 401});
        expected.put("plain user", new int[] {404, 404, 404});
        expected.put("holder of A's role", new int[] {200, 403, 404});
        expected.put("holder of B's role", new int[] {404, 404, 404});
        expected.put("admin", new int[] {200, 200, 404});
        expected.put("account A", new int[] {200, 403, 404});
        expected.put("account B", new int[] {404, 404, 404});
        List<String> failures = new ArrayList<>();
        expected.forEach((who, codes) -> {
            String bearer = callers.get(who);
            int[] got = {api.get(url("/" + a), bearer).status(), api.putJson(url("/" + a), bearer, staticBody()).status(),
                    api.get(url("/no-such-account"), bearer).status()};
            if (!java.util.Arrays.equals(codes, got)) {
                failures.add(who + ": expected " + java.util.Arrays.toString(codes) + " got " + java.util.Arrays.toString(got));
            }
        });
        assertEquals(List.of(), failures);
        assertEquals(api.get(url("/no-such-account"), callers.get("plain user")).body(),
                api.get(url("/" + a), callers.get("plain user")).body(), "unknown and forbidden look the same");

        // A revoked account's access token no longer reads anything.
        String accountA = callers.get("account A");
        api.delete(api.realmUrl("/system-accounts/" + a + "/token"), admin).expect(204);
        assertEquals(401, api.get(url("/" + a), accountA).status());
        assertEquals(403, api.delete(url("/" + a), callers.get("holder of A's role")).status());
        api.delete(url("/" + a), admin).expect(204);
        assertEquals(404, api.get(url("/" + a), admin).status());
    }

    static boolean roleExists(String role) throws SQLException {
        try (Connection c = TestDatabase.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select 1 from pg_roles where rolname = '" + role.replace("'", "") + "'")) {
            return rs.next();
        }
    }

    @Test
    void databaseDownGivesA503AndLeavesNothing() throws Exception {
        String name = account();
        int rolesBefore;
        try (TcpProxy proxy = new TcpProxy(TestDatabase.PG_PORT)) {
            api.putJson(url("/" + name), admin, dynamicBody(proxy.port(), 60)).expect(200);
            rolesBefore = dynamicRoleCount();
            proxy.goDown();
            KeycloakApi.Response r = api.get(url("/" + name), admin);
            assertEquals(503, r.status(), r.body());
            assertEquals("database_unavailable", r.json().path("error").asText());
            assertFalse(r.body().contains(CREATOR_PASSWORD));
            // Configuring while the database is down stores nothing: the connection role cannot be checked.
            String other = account();
            KeycloakApi.Response put = api.putJson(url("/" + other), admin, dynamicBody(proxy.port(), 60));
            assertEquals(503, put.status(), put.body());
            assertEquals(404, api.get(url("/" + other), admin).status(), "nothing stored");
        }
        assertEquals(rolesBefore, dynamicRoleCount(), "no role left half-made");
    }

    static int dynamicRoleCount() throws SQLException {
        try (Connection c = TestDatabase.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pg_roles where rolname like 'mcias_dyn_%'"
                     + " and pg_has_role(rolname, '" + GROUP + "', 'MEMBER')")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void badInputAndInjectionAttemptsAre400AndWriteNothing() {
        String name = account();
        List<Map<String, Object>> bad = new ArrayList<>();
        for (Object[] change : new Object[][] {
                {"group_role", GROUP + "\"; DROP ROLE postgres; --"}, {"group_role", "a b"},
                {"database", "x; DROP DATABASE postgres"}, {"username", "' OR 1=1 --"},
                {"host", "127.0.0.1/evil"}, {"port", 70000}, {"port", "5432"}, {"sslmode", "none"},
                {"options", "-c search_path='x'"}, {"ttl_seconds", 5}, {"mode", "magic"}, {"password", ""},
                {"extra", 1}}) {
            Map<String, Object> b = dynamicBody(TestDatabase.PG_PORT, 60);
            b.put((String) change[0], change[1]);
            bad.add(b);
        }
        Map<String, Object> staticWithGroup = staticBody();
        staticWithGroup.put("group_role", GROUP);
        bad.add(staticWithGroup);
        for (Map<String, Object> b : bad) {
            KeycloakApi.Response r = api.putJson(url("/" + name), admin, b);
            assertEquals(400, r.status(), b + " -> " + r.body());
            assertFalse(r.body().contains(CREATOR_PASSWORD));
        }
        assertEquals(400, api.send("PUT", url("/" + name), admin, "application/json", "{\"mode\":").status());
        Map<String, Object> huge = staticBody();
        huge.put("password", "p".repeat(5000));
        assertEquals(400, api.putJson(url("/" + name), admin, huge).status());
        assertEquals("not_configured", api.get(url("/" + name), admin).json().path("error").asText(), "nothing written");
        assertEquals(404, api.putJson(url("/no-such-account"), admin, staticBody()).status());
        Map<String, String> headers = new HashMap<>();
        assertEquals(401, api.send("GET", url("/" + name), headers, null).status());
    }

    /** Polls a condition until it holds, failing after {@code seconds}. */
    static void await(String what, int seconds, Await.Condition condition) throws Exception {
        Await.until(what, java.time.Duration.ofSeconds(seconds), condition);
    }

    static boolean sessionAlive(Connection c) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from items")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    /** An account whose dynamic credentials live the shortest TTL allowed (10 s), so tests can wait them out. */
    String shortLivedAccount() {
        String name = account();
        api.putJson(url("/" + name), admin, dynamicBody(TestDatabase.PG_PORT, DbCredentialSpec.MIN_TTL)).expect(200);
        return name;
    }

    String dynamicRole(String name) {
        return api.get(url("/" + name), admin).expect(200).json().path("username").asText();
    }

    @Test
    void aConnectionRoleThatCannotDoItsJobIsRefusedWithWhatToGrant() {
        String name = account();
        KeycloakApi.Response r = api.putJson(url("/" + name), admin, dynamicBody(TestDatabase.PG_PORT, 60, NO_CREATEROLE));
        assertEquals(400, r.status(), r.body());
        assertEquals("insufficient_privileges", r.json().path("error").asText());
        assertTrue(r.json().path("error_description").asText().contains("ALTER ROLE \"" + NO_CREATEROLE + "\" CREATEROLE"),
                r.body());
        r = api.putJson(url("/" + name), admin, dynamicBody(TestDatabase.PG_PORT, 60, NO_INHERIT));
        assertEquals(400, r.status(), r.body());
        assertTrue(r.json().path("error_description").asText().contains("ALTER ROLE \"" + NO_INHERIT + "\" INHERIT"),
                r.body());
        Map<String, Object> noGroup = dynamicBody(TestDatabase.PG_PORT, 60);
        noGroup.put("group_role", "no_such_group_" + SUFFIX);
        assertEquals(400, api.putJson(url("/" + name), admin, noGroup).status());
        // Configuration errors the database reports are a 400 at PUT, with the driver's reason.
        Map<String, Object> wrongPassword = dynamicBody(TestDatabase.PG_PORT, 60);
        wrongPassword.put("password", "wrong-" + SUFFIX);
        r = api.putJson(url("/" + name), admin, wrongPassword);
        assertEquals(400, r.status(), r.body());
        assertEquals("database_refused", r.json().path("error").asText());
        assertTrue(r.body().contains("28P01"), r.body());
        assertFalse(r.body().contains("wrong-" + SUFFIX));
        Map<String, Object> ssl = dynamicBody(TestDatabase.PG_PORT, 60);
        ssl.put("sslmode", "require"); // the test server has ssl = off
        r = api.putJson(url("/" + name), admin, ssl);
        assertEquals(400, r.status(), r.body());
        assertEquals("database_refused", r.json().path("error").asText());
        assertEquals(404, api.get(url("/" + name), admin).status(), "nothing stored");
    }

    @Test
    void aLoginThatStopsWorkingIsAConfigurationErrorNotTryAgainLater() throws Exception {
        String name = account();
        api.putJson(url("/" + name), admin, dynamicBody(TestDatabase.PG_PORT, 60, CREATOR2)).expect(200);
        dynamicRole(name);
        try (Connection c = TestDatabase.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + CREATOR2 + " PASSWORD 'changed-" + SUFFIX + "'");
        }
        int before = dynamicRoleCount();
        KeycloakApi.Response r = api.get(url("/" + name), admin);
        assertEquals(502, r.status(), r.body());
        assertEquals("database_misconfigured", r.json().path("error").asText());
        assertFalse(r.body().contains(CREATOR_PASSWORD));
        assertEquals(before, dynamicRoleCount());
    }

    @Test
    void passwordAtTheLimitIsStoredAndOneByteMoreIsRefused() {
        String name = account();
        Map<String, Object> b = staticBody();
        b.put("password", "p".repeat(1024));
        api.putJson(url("/" + name), admin, b).expect(200);
        assertEquals("p".repeat(1024), api.get(url("/" + name), admin).expect(200).json().path("password").asText());
        b.put("password", "p".repeat(1025));
        KeycloakApi.Response r = api.putJson(url("/" + name), admin, b);
        assertEquals(400, r.status(), r.body());
        b.put("password", "\u00e9".repeat(513)); // 1026 bytes in UTF-8
        assertEquals(400, api.putJson(url("/" + name), admin, b).status());
        assertEquals("p".repeat(1024), api.get(url("/" + name), admin).expect(200).json().path("password").asText(),
                "the refused PUTs changed nothing");
    }

    /** Switching to static, removing the configuration and removing the account all drop live roles. */
    @Test
    void rolesStillAliveAreDroppedOnEveryPathThatEndsTheConfiguration() throws Exception {
        String toStatic = account();
        String removed = account();
        String deletedAccount = account();
        Map<String, String> roles = new LinkedHashMap<>();
        for (String name : List.of(toStatic, removed, deletedAccount)) {
            api.putJson(url("/" + name), admin, dynamicBody(TestDatabase.PG_PORT, 3600)).expect(200);
            roles.put(name, dynamicRole(name));
            assertTrue(roleExists(roles.get(name)));
        }
        api.putJson(url("/" + toStatic), admin, staticBody()).expect(200);
        api.delete(url("/" + removed), admin).expect(204);
        api.delete(api.realmUrl("/system-accounts/" + deletedAccount), admin).expect(204);
        for (Map.Entry<String, String> e : roles.entrySet()) {
            await("the live role of " + e.getKey() + " is dropped", 60, () -> !roleExists(e.getValue()));
        }
        assertEquals(STATIC_USER, api.get(url("/" + toStatic), admin).expect(200).json().path("username").asText());
        JsonNode status = api.get(url("/-/status"), admin).expect(200).json();
        for (JsonNode stuck : status.path("stuck")) {
            assertFalse(roles.containsValue(stuck.path("role").asText()), status.toString());
        }
    }

    JsonNode stuckRole(String role) {
        for (JsonNode r : api.get(url("/-/status"), admin).expect(200).json().path("stuck")) {
            if (role.equals(r.path("role").asText())) {
                return r;
            }
        }
        return null;
    }

    @Test
    void statusIsForAdminsOnly() {
        assertEquals(401, api.get(url("/-/status"), null).status());
        assertEquals(403, api.get(url("/-/status"), fx.userWithRoles("dbc-plain")).status());
    }

    /**
     * The tests that wait out the shortest TTL (10 s) and the reaper: concurrently with each other (each has its own
     * account and roles), never with the tests above, which count roles.
     */
    @Nested
    class GivenRolesPastTheirTtl {

        @Test
        @Execution(ExecutionMode.CONCURRENT)
        void dynamicRolesAreFreshLimitedAndReaped() throws Exception {
            String name = shortLivedAccount();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<JsonNode> creds = new ArrayList<>();
            try {
                List<Future<KeycloakApi.Response>> f = List.of(pool.submit(() -> api.get(url("/" + name), admin)),
                        pool.submit(() -> api.get(url("/" + name), admin)));
                for (Future<KeycloakApi.Response> r : f) {
                    creds.add(r.get(60, TimeUnit.SECONDS).expect(200).json());
                }
            } finally {
                pool.shutdownNow();
            }
            String role1 = creds.get(0).path("username").asText();
            String role2 = creds.get(1).path("username").asText();
            assertNotEquals(role1, role2, "two reads, two roles");
            for (JsonNode c : creds) {
                assertTrue(c.path("username").asText().startsWith("mcias_dyn_"));
                assertFalse(c.path("expires_at").asText().isEmpty());
                try (Connection conn = login(c.path("username").asText(), c.path("password").asText());
                     Statement s = conn.createStatement()) {
                    try (ResultSet rs = s.executeQuery("select count(*) from items")) {
                        assertTrue(rs.next());
                    }
                    assertThrows(SQLException.class, () -> s.execute("insert into items values (2, 'two')"),
                            "only the group's privileges");
                    assertThrows(SQLException.class, () -> s.execute("create role sneaky"));
                }
                assertThrows(SQLException.class, () -> login(c.path("username").asText(), "wrong").close());
            }
            // After the TTL the roles cannot log in, and the reaper drops them.
            await("the roles are dropped", 60, () -> !roleExists(role1) && !roleExists(role2));
            assertThrows(SQLException.class, () -> login(role1, creds.get(0).path("password").asText()).close());
        }

        @Test
        @Execution(ExecutionMode.CONCURRENT)
        void anOpenSessionOfAnExpiredRoleIsEnded() throws Exception {
            String name = shortLivedAccount();
            JsonNode c = api.get(url("/" + name), admin).expect(200).json();
            String role = c.path("username").asText();
            try (Connection session = login(role, c.path("password").asText())) {
                assertTrue(sessionAlive(session));
                await("the expired role's open session is ended", 60, () -> !sessionAlive(session));
            }
            await("the role is dropped", 30, () -> !roleExists(role));
        }

        /**
         * A role that owns a large object is still dropped (the object goes to the connection role); a role that
         * owns something in another database cannot be dropped, is counted as stuck, and holds up no other role.
         */
        @Test
        @Execution(ExecutionMode.CONCURRENT)
        void ownedObjectsDoNotBlockTheReaperAndAStuckRoleIsVisible() throws Exception {
            String name = shortLivedAccount();
            JsonNode withObject = api.get(url("/" + name), admin).expect(200).json();
            String stuck = dynamicRole(name);
            List<String> plain = List.of(dynamicRole(name), dynamicRole(name));
            String ownerRole = withObject.path("username").asText();
            long oid;
            try (Connection c = login(ownerRole, withObject.path("password").asText());
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT lo_create(0)")) {
                rs.next();
                oid = rs.getLong(1);
            }
            try (Connection c = TestDatabase.connect(OTHER_DB); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE held_" + SUFFIX + " (x int)");
                s.execute("ALTER TABLE held_" + SUFFIX + " OWNER TO " + stuck);
            }
            await("the role owning a large object and the plain roles are dropped", 60,
                    () -> !roleExists(ownerRole) && !roleExists(plain.get(0)) && !roleExists(plain.get(1)));
            try (Connection c = TestDatabase.connect(DB); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_get_userbyid(lomowner) FROM pg_largeobject_metadata"
                         + " WHERE oid = " + oid)) {
                assertTrue(rs.next(), "the large object is kept");
                assertEquals(CREATOR, rs.getString(1), "and now belongs to the connection role");
            }
            await("the undroppable role is reported as stuck", 30, () -> stuckRole(stuck) != null);
            assertTrue(roleExists(stuck));
            JsonNode report = stuckRole(stuck);
            assertTrue(report.path("attempts").asInt() >= 1);
            assertFalse(report.path("last_error").asText().isEmpty());
            assertTrue(api.get(url("/-/status"), admin).expect(200).json().path("stuck_roles").asInt() >= 1);
            // Once what held it is gone, a later attempt (after its backoff) drops it.
            try (Connection c = TestDatabase.connect(OTHER_DB); Statement s = c.createStatement()) {
                s.execute("DROP TABLE held_" + SUFFIX);
            }
            await("the formerly stuck role is dropped", 120, () -> !roleExists(stuck));
            await("and no longer reported", 30, () -> stuckRole(stuck) == null);
        }
    }

    /** Kills the shared server and starts it again (tagged {@code restart}: runs after every other test). */
    @Nested
    @Tag("restart")
    class AfterAKill {

        @Test
        void theReaperFindsRolesFromBeforeARestart() throws Exception {
            org.junit.jupiter.api.Assumptions.assumeTrue(api.server() instanceof DistributionKeycloakServer,
                    "needs the local process");
            String name = shortLivedAccount();
            String role = api.get(url("/" + name), admin).expect(200).json().path("username").asText();
            assertTrue(roleExists(role));
            DistributionKeycloakServer server = (DistributionKeycloakServer) api.server();
            server.kill(); // no chance to clean up on the way out
            server.start();
            admin = fx.userWithRoles("dbc-admin", "admin");
            await("role created before the restart is reaped after it", 60, () -> !roleExists(role));
        }
    }

    /** Forwards 127.0.0.1:port() to PostgreSQL until closed: closing it is a database going down. */
    static final class TcpProxy implements AutoCloseable {
        private final java.net.ServerSocket server;
        private final List<java.net.Socket> open = java.util.Collections.synchronizedList(new ArrayList<>());
        private final ExecutorService pool = Executors.newCachedThreadPool();

        TcpProxy(int targetPort) throws java.io.IOException {
            server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
            pool.submit(() -> {
                while (!server.isClosed()) {
                    try {
                        java.net.Socket in = server.accept();
                        java.net.Socket out = new java.net.Socket(TestDatabase.PG_HOST, targetPort);
                        open.add(in);
                        open.add(out);
                        pool.submit(() -> pump(in, out));
                        pool.submit(() -> pump(out, in));
                    } catch (java.io.IOException e) {
                        // closed
                    }
                }
                return null;
            });
        }

        private static Void pump(java.net.Socket from, java.net.Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
            } catch (java.io.IOException e) {
                // one side closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (java.io.IOException e) {
                    // already closed
                }
            }
            return null;
        }

        int port() {
            return server.getLocalPort();
        }

        /** The database "goes down": the port refuses, open connections break. */
        void goDown() throws java.io.IOException {
            close();
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
            synchronized (open) {
                for (java.net.Socket s : open) {
                    s.close();
                }
            }
            pool.shutdownNow();
        }
    }
}
