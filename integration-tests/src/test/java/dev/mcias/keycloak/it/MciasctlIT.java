package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.client.Http;
import dev.mcias.client.Oidc;
import dev.mcias.client.Session;
import dev.mcias.client.SessionStore;
import dev.mcias.ctl.Run;
import dev.mcias.keycloak.it.support.BrowserFormLogin;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.KeycloakServer;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * mciasctl as a user runs it (picocli's {@code execute}, captured stdout/stderr and exit code) against the real
 * server: admin, role holder, plain user and system account, bad input with the documented exit codes.
 *
 * <p>Sessions: {@code login} uses the device grant, which needs a person at a browser; these tests store a
 * session made with the password grant of a test client (same realm, same {@code mcias-api} scope) in the same
 * file format, so every command, the transparent refresh and {@code logout} run as in real use.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("any-db")
class MciasctlIT {

    static final String PASSWORD = RealmFixtures.DEFAULT_PASSWORD;
    static final String CLI_CLIENT = "it-mciasctl-sessions";
    static final String SUFFIX = RealmFixtures.unique("x").substring(2);
    static final String DB_ROLE = "cli_exec_" + SUFFIX;
    static final String DB_PASSWORD = "cli-exec-" + SUFFIX + "-Pw0rd";

    @TempDir
    Path tmp;

    KeycloakApi api;
    KeycloakServer server;
    RealmFixtures fx;
    String adminName;
    String plainName;
    String holderName;
    String account;
    String adminToken;

    @BeforeAll
    void setUp(KeycloakApi api, KeycloakServer server) throws Exception {
        this.api = api;
        this.server = server;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        String uuid = fx.createPasswordGrantClient(CLI_CLIENT, null, Map.of());
        fx.addClientScope(uuid, "mcias-api", true);
        adminName = RealmFixtures.unique("cli-admin");
        fx.grantRealmRole(fx.createUser(adminName, PASSWORD), "admin");
        plainName = RealmFixtures.unique("cli-plain");
        fx.createUser(plainName, PASSWORD);
        adminToken = fx.passwordGrant(adminName, PASSWORD).expect(200).json().path("access_token").asText();
        account = RealmFixtures.unique("cli-sa");
        api.postJson(api.realmUrl("/system-accounts"), adminToken, Map.of("name", account)).expect(201);
        holderName = RealmFixtures.unique("cli-holder");
        fx.grantRealmRole(fx.createUser(holderName, PASSWORD), account);
        try (Connection c = TestDatabase.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + DB_ROLE + " LOGIN PASSWORD '" + DB_PASSWORD + "' IN ROLE mcias_pwauth");
        }
    }

    @AfterAll
    void dropRole() throws Exception {
        try (Connection c = TestDatabase.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + DB_ROLE);
        }
    }

    // ---- helpers

    /** A fresh config home with a session of {@code username} in profile "default". */
    Path sessionOf(String username) throws Exception {
        Path home = Files.createTempDirectory(tmp, "home-");
        JsonNode t = api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of("grant_type", "password",
                "client_id", CLI_CLIENT, "username", username, "password", PASSWORD, "scope", "openid"))
                .expect(200).json();
        store(home).save("default", new Session(server.baseUrl(), KeycloakServer.REALM, CLI_CLIENT, username,
                t.path("refresh_token").asText(), t.path("access_token").asText(),
                java.time.Instant.now().getEpochSecond() + t.path("expires_in").asLong()));
        return home;
    }

    static SessionStore store(Path home) {
        return new SessionStore(home.resolve("mciasctl"));
    }

    Run.Result run(Path home, String stdin, Map<String, String> extraEnv, String... args) {
        Map<String, String> env = new HashMap<>(Map.of("XDG_CONFIG_HOME", home.toString(), "HOME", home.toString()));
        env.putAll(extraEnv);
        return Run.run(env, stdin, args);
    }

    Run.Result run(Path home, String... args) {
        return run(home, null, Map.of(), args);
    }

    static Run.Result ok(Run.Result r) {
        assertEquals(0, r.code(), r.toString());
        return r;
    }

    static Run.Result fails(int code, Run.Result r, String errorContains) {
        assertEquals(code, r.code(), r.toString());
        assertTrue(r.err().contains(errorContains), r.toString());
        assertEquals(1, r.err().lines().count(), "one line, no stack trace:\n" + r);
        return r;
    }

    static JsonNode json(Run.Result r) {
        try {
            return KeycloakApi.JSON.readTree(r.out());
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + r, e);
        }
    }

    String[] asAccount(String name, Path tokenFile, String... args) {
        // Root options first: everything after "--" belongs to the program db-creds exec runs.
        List<String> all = new java.util.ArrayList<>(List.of("--account", name, "--token-file", tokenFile.toString(),
                "--server", server.baseUrl()));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    static String mode(Path f) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
    }

    // ---- tests

    @Test
    void adminManagesASystemAccountItsTokenAndDatabaseCredentials() throws Exception {
        Path admin = sessionOf(adminName);
        String name = RealmFixtures.unique("cli-job");
        ok(run(admin, "accounts", "create", name, "--description", "nightly job", "--token-ttl", "86400"));
        JsonNode list = json(ok(run(admin, "accounts", "list", "-o", "json")));
        assertTrue(list.findValuesAsText("name").contains(name), list.toString());
        Run.Result table = ok(run(admin, "accounts", "list"));
        assertTrue(table.out().startsWith("NAME") && table.out().contains(name), table.toString());
        assertEquals("nightly job", json(ok(run(admin, "accounts", "show", name, "-o", "json"))).path("description").asText());

        Path tokenFile = tmp.resolve(name + ".token");
        Run.Result issued = ok(run(admin, "accounts", "token", "issue", name, "--out", tokenFile.toString()));
        assertFalse(issued.out().contains("mcias_sat_"), "the token goes to the file only:\n" + issued);
        assertEquals("rw-------", mode(tokenFile));
        String first = Files.readString(tokenFile).strip();
        assertTrue(first.matches("mcias_sat_[A-Za-z0-9_-]{43}"), "token format");

        // The account acts for itself: renews its token (file replaced, still 0600), the old one stops working.
        ok(run(admin, asAccount(name, tokenFile, "accounts", "token", "renew")));
        String second = Files.readString(tokenFile).strip();
        assertNotEquals(first, second);
        assertEquals("rw-------", mode(tokenFile));
        api.clientCredentials(name, first, null).expect(401);

        // Database credentials: the admin stores them (password on stdin), shows them without the password.
        ok(run(admin, DB_PASSWORD + "\n", Map.of(), "db-creds", "set", name, "--host", TestDatabase.PG_HOST,
                "--port", Integer.toString(TestDatabase.PG_PORT), "--database", "postgres", "--username", DB_ROLE,
                "--sslmode", "disable", "--password-stdin"));
        Run.Result shown = ok(run(admin, "db-creds", "show", name));
        assertTrue(shown.out().contains(DB_ROLE) && !shown.out().contains(DB_PASSWORD), shown.toString());

        // The account reads them in every format.
        String uri = ok(run(admin, asAccount(name, tokenFile, "db-creds", "get", name, "--format", "uri"))).out().strip();
        assertEquals("postgresql://" + DB_ROLE + ":" + DB_PASSWORD + "@" + TestDatabase.PG_HOST + ":"
                + TestDatabase.PG_PORT + "/postgres?sslmode=disable", uri);
        assertTrue(ok(run(admin, asAccount(name, tokenFile, "db-creds", "get", name, "--format", "jdbc"))).out()
                .startsWith("jdbc:postgresql://" + TestDatabase.PG_HOST));
        assertTrue(ok(run(admin, asAccount(name, tokenFile, "db-creds", "get", name, "--format", "env"))).out()
                .contains("export PGPASSWORD='" + DB_PASSWORD + "'"));
        assertEquals(TestDatabase.PG_HOST + ":" + TestDatabase.PG_PORT + ":postgres:" + DB_ROLE + ":" + DB_PASSWORD,
                ok(run(admin, asAccount(name, tokenFile, "db-creds", "get", name, "--format", "pgpass"))).out().strip());
        assertEquals(DB_PASSWORD, json(ok(run(admin, asAccount(name, tokenFile, "db-creds", "get", name))))
                .path("password").asText());

        // exec: the real psql connects with the PG* variables (the role needs its password: mcias_pwauth).
        Run.Result exec = run(admin, asAccount(name, tokenFile, "db-creds", "exec", name, "--", "psql", "-At", "-c",
                "select current_user"));
        assertEquals(0, exec.code(), exec.toString());
        assertEquals(DB_ROLE, exec.out().strip());

        // Revoked: the account can no longer act (exit 3); then everything is deleted.
        assertTrue(json(ok(run(admin, "accounts", "token", "revoke", name, "-o", "json"))).path("revoked").asBoolean());
        fails(3, run(admin, asAccount(name, tokenFile, "db-creds", "get", name)), "was refused");
        ok(run(admin, "db-creds", "delete", name));
        fails(4, run(admin, "db-creds", "show", name), "");
        assertEquals(name, json(ok(run(admin, "accounts", "delete", name, "-o", "json"))).path("name").asText());
        fails(4, run(admin, "accounts", "show", name), "");
    }

    @Test
    void adminManagesUsersAndRolesWithTheRealmAdminRoleAlone() throws Exception {
        Path admin = sessionOf(adminName);
        String role = RealmFixtures.unique("cli-role");
        String user = RealmFixtures.unique("cli-user");
        ok(run(admin, "roles", "create", role, "--description", "made by mciasctl"));
        assertTrue(json(ok(run(admin, "roles", "list", "-o", "json"))).findValuesAsText("name").contains(role));

        JsonNode created = json(ok(run(admin, "users", "create", user, "--email", user + "@example.test",
                "--first-name", "Cli", "--last-name", "User", "-o", "json")));
        String temporary = created.path("temporary_password").asText();
        assertTrue(temporary.length() >= 20, created.toString());
        JsonNode shown = json(ok(run(admin, "users", "show", user, "-o", "json")));
        assertTrue(shown.path("requiredActions").toString().contains("UPDATE_PASSWORD"), shown.toString());
        // The temporary password is the user's: the login asks to change it (no token yet).
        assertEquals(400, fx.passwordGrant(user, temporary).status());

        assertTrue(ok(run(admin, "users", "list", "--search", user)).out().contains(user));
        ok(run(admin, "users", "roles", "add", user, role));
        assertTrue(json(ok(run(admin, "users", "roles", "list", user, "-o", "json"))).findValuesAsText("name").contains(role));
        JsonNode disabled = json(ok(run(admin, "users", "disable", user, "-o", "json")));
        assertEquals(shown.path("id").asText(), disabled.path("id").asText(), disabled.toString());
        assertFalse(disabled.path("enabled").asBoolean(), disabled.toString());
        assertFalse(json(ok(run(admin, "users", "show", user, "-o", "json"))).path("enabled").asBoolean());
        ok(run(admin, "users", "enable", user));
        assertTrue(json(ok(run(admin, "users", "show", user, "-o", "json"))).path("enabled").asBoolean());
        Run.Result reset = ok(run(admin, "Chosen-by-admin-0123\n", Map.of(), "users", "reset-password", user,
                "--password-stdin"));
        assertFalse(reset.out().contains("Chosen-by-admin-0123"), reset.toString());
        JsonNode removed = json(ok(run(admin, "users", "roles", "remove", user, role, "-o", "json")));
        assertEquals(role, removed.path("roles").path(0).asText(), removed.toString());
        assertFalse(json(ok(run(admin, "users", "roles", "list", user, "-o", "json"))).findValuesAsText("name").contains(role));
        fails(4, run(admin, "users", "roles", "add", user, "no-such-role-" + SUFFIX), "role no-such-role");
        assertTrue(json(ok(run(admin, "users", "delete", user, "-o", "json"))).path("deleted").asBoolean());
        fails(4, run(admin, "users", "show", user), "user " + user + " not found");
        ok(run(admin, "roles", "delete", role));
        fails(4, run(admin, "roles", "delete", role), "not found");
    }

    @Test
    void appsAddCreatesClientsAsTheRealmPoliciesExpect() throws Exception {
        Path admin = sessionOf(adminName);
        String conf = RealmFixtures.unique("cli-app");
        JsonNode c = json(ok(run(admin, "apps", "add", conf, "--redirect-uri", "https://app.example.test/callback",
                "-o", "json")));
        assertEquals(api.realmUrl(""), c.path("issuer").asText());
        assertTrue(c.path("client_secret").asText().length() >= 32, c.toString());
        JsonNode rep = api.get(api.adminRealmUrl("/clients/" + fx.clientUuid(conf)), api.adminToken()).expect(200).json();
        assertFalse(rep.path("publicClient").asBoolean());
        assertTrue(rep.path("standardFlowEnabled").asBoolean());
        assertFalse(rep.path("implicitFlowEnabled").asBoolean() || rep.path("directAccessGrantsEnabled").asBoolean());
        assertEquals("S256", rep.path("attributes").path("pkce.code.challenge.method").asText());

        String pub = RealmFixtures.unique("cli-spa");
        Run.Result r = ok(run(admin, "apps", "add", pub, "--public", "--redirect-uri", "https://spa.example.test/*"));
        assertTrue(r.out().contains("OIDC_CLIENT_ID=" + pub) && !r.out().contains("OIDC_CLIENT_SECRET"), r.toString());
        JsonNode pubRep = api.get(api.adminRealmUrl("/clients/" + fx.clientUuid(pub)), api.adminToken()).expect(200).json();
        assertTrue(pubRep.path("publicClient").asBoolean());
        assertEquals("[\"https://spa.example.test\"]", pubRep.path("webOrigins").toString());
        fails(2, run(admin, "apps", "add", "x-" + SUFFIX, "--redirect-uri", "javascript:alert(1)"), "http(s) URL");
    }

    @Test
    void appsMembersOnlyCreatesTheRoleAndRolesAddGrantsAccess() throws Exception {
        Path admin = sessionOf(adminName);
        String app = RealmFixtures.unique("cli-members");
        String redirect = "https://members.example.test/cb";
        JsonNode c = json(ok(run(admin, "apps", "add", app, "--public", "--members-only", "--redirect-uri", redirect,
                "-o", "json")));
        assertTrue(c.path("members_only").asBoolean(), c.toString());
        assertEquals("app:" + app, c.path("access_role").asText());
        JsonNode rep = api.get(api.adminRealmUrl("/clients/" + fx.clientUuid(app)), api.adminToken()).expect(200).json();
        assertEquals("true", rep.path("attributes").path("mcias.members-only").asText());
        assertEquals("app:" + app, rep.path("attributes").path("mcias.access-role").asText());
        api.get(api.adminRealmUrl("/roles/" + "app:" + app), api.adminToken()).expect(200);

        String friend = RealmFixtures.unique("cli-friend");
        fx.createUser(friend, RealmFixtures.DEFAULT_PASSWORD);
        assertEquals(403, BrowserFormLogin.login(api, app, redirect, friend, RealmFixtures.DEFAULT_PASSWORD).status());
        ok(run(admin, "users", "roles", "add", friend, "app:" + app));
        assertTrue(BrowserFormLogin.login(api, app, redirect, friend, RealmFixtures.DEFAULT_PASSWORD).gotCode());
        ok(run(admin, "users", "roles", "remove", friend, "app:" + app));
        assertEquals(403, BrowserFormLogin.login(api, app, redirect, friend, RealmFixtures.DEFAULT_PASSWORD).status());

        // Switched off the app is open to everyone, and on again with another role; other settings are kept.
        assertTrue(ok(run(admin, "apps", "members-only", app, "off")).out().contains("open to every user"));
        assertTrue(BrowserFormLogin.login(api, app, redirect, friend, RealmFixtures.DEFAULT_PASSWORD).gotCode());
        String custom = RealmFixtures.unique("cli-friends");
        JsonNode on = json(ok(run(admin, "apps", "members-only", app, "on", "--access-role", custom, "-o", "json")));
        assertEquals(custom, on.path("access_role").asText());
        api.get(api.adminRealmUrl("/roles/" + custom), api.adminToken()).expect(200);
        JsonNode after = api.get(api.adminRealmUrl("/clients/" + fx.clientUuid(app)), api.adminToken()).expect(200).json();
        assertEquals("S256", after.path("attributes").path("pkce.code.challenge.method").asText());
        assertEquals("[\"" + redirect + "\"]", after.path("redirectUris").toString());
        assertEquals(403, BrowserFormLogin.login(api, app, redirect, friend, RealmFixtures.DEFAULT_PASSWORD).status());

        fails(2, run(admin, "apps", "members-only", app, "maybe"), "on or off");
        fails(2, run(admin, "apps", "members-only", app, "off", "--access-role", "x"), "needs on");
        fails(2, run(admin, "apps", "add", "x-" + SUFFIX, "--access-role", "x", "--redirect-uri", redirect), "needs --members-only");
        fails(4, run(admin, "apps", "members-only", "no-such-app-" + SUFFIX, "on"), "not found");
    }

    @Test
    void auditListExportAndVerify() throws Exception {
        Path admin = sessionOf(adminName);
        JsonNode page = json(ok(run(admin, "audit", "list", "--limit", "5", "-o", "json")));
        assertTrue(page.path("events").isArray() && page.path("events").size() > 0, page.toString());
        assertTrue(ok(run(admin, "audit", "list", "--limit", "3")).out().startsWith("SEQ"));
        JsonNode verify = json(ok(run(admin, "audit", "verify", "-o", "json")));
        assertTrue(verify.path("ok").asBoolean(), verify.toString());
        Path out = tmp.resolve("audit.ndjson");
        ok(run(admin, "audit", "export", "--from", "2020-01-01T00:00:00Z", "--out", out.toString()));
        List<String> lines = Files.readAllLines(out);
        assertTrue(lines.size() > 0);
        for (String line : lines) {
            assertTrue(KeycloakApi.JSON.readTree(line).has("hash"), line);
        }
        String streamed = ok(run(admin, "audit", "export", "--to", "2020-01-01T00:00:00Z")).out();
        assertEquals("", streamed, "nothing before 2020");
        fails(2, run(admin, "audit", "list", "--from", "yesterday"), "");
    }

    @Test
    void aPlainUserIsRefusedAsTheServerRefuses() throws Exception {
        Path plain = sessionOf(plainName);
        fails(4, run(plain, "accounts", "create", RealmFixtures.unique("cli-x")), "");
        fails(4, run(plain, "users", "list"), "");
        fails(4, run(plain, "roles", "create", RealmFixtures.unique("cli-r")), "");
        fails(4, run(plain, "audit", "list"), "");
        fails(4, run(plain, "accounts", "token", "issue", account), "");
        fails(4, run(plain, "db-creds", "get", account), "");
        fails(4, run(plain, "apps", "add", RealmFixtures.unique("cli-a"), "--redirect-uri", "https://a.example.test/cb"), "");
        // It sees no account at all.
        assertEquals("[ ]", ok(run(plain, "accounts", "list", "-o", "json")).out().strip());
    }

    @Test
    void aRoleHolderMayIssueAndReadButNotAdminister() throws Exception {
        Path holder = sessionOf(holderName);
        Path admin = sessionOf(adminName);
        ok(run(admin, "Holder-db-pw-0123\n", Map.of(), "db-creds", "set", account, "--host", "127.0.0.1",
                "--database", "appdb", "--username", "app", "--sslmode", "disable", "--password-stdin"));
        Run.Result issued = ok(run(holder, "accounts", "token", "issue", account));
        assertTrue(issued.out().strip().matches("mcias_sat_[A-Za-z0-9_-]{43}"), "printed once on stdout");
        assertEquals("Holder-db-pw-0123", json(ok(run(holder, "db-creds", "get", account))).path("password").asText());
        ok(run(holder, "accounts", "show", account));
        fails(4, run(holder, "accounts", "delete", account), "");
        fails(4, run(holder, "accounts", "token", "revoke", account), "");
        fails(4, run(holder, "Other-pw-0123456\n", Map.of(), "db-creds", "set", account, "--host", "127.0.0.1",
                "--database", "appdb", "--username", "app", "--password-stdin"), "");
        fails(4, run(holder, "users", "list"), "");
    }

    @Test
    void badInputGivesTheDocumentedExitCodes() throws Exception {
        Path admin = sessionOf(adminName);
        fails(4, run(admin, "accounts", "show", "no-such-" + SUFFIX), "");
        fails(2, run(admin, "accounts", "create", "Bad_Name!"), "");
        fails(1, run(admin, "accounts", "create", account), "");
        fails(3, run(admin, asAccount(account, tmp.resolve("missing.token"), "accounts", "token", "renew")),
                "does not exist");
        fails(2, run(admin, "accounts", "token", "issue"), "Missing required parameter: 'NAME'");
        Path empty = Files.createTempDirectory(tmp, "none-");
        fails(3, run(empty, "accounts", "list"), "not logged in");

        // A session file other users can read is refused, and the error says how to fix it.
        Path open = sessionOf(adminName);
        Files.setPosixFilePermissions(store(open).file("default"), PosixFilePermissions.fromString("rw-r--r--"));
        fails(3, run(open, "accounts", "list"), "chmod 600");
        Files.setPosixFilePermissions(store(open).file("default"), PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(store(open).directory(), PosixFilePermissions.fromString("rwxr-xr-x"));
        fails(3, run(open, "accounts", "list"), "chmod 700");
    }

    @Test
    void accessTokensAreRefreshedTransparentlyAndLogoutRevokes() throws Exception {
        Path home = sessionOf(adminName);
        Session s = store(home).load("default");
        // An access token that has expired: the next call refreshes and stores the rotated pair.
        store(home).save("default", s.withTokens(s.refreshToken(), s.accessToken(), 0));
        JsonNode who = json(ok(run(home, "whoami", "-o", "json")));
        assertEquals(adminName, who.path("username").asText());
        assertTrue(who.path("realm_roles").toString().contains("admin"), who.toString());
        Session refreshed = store(home).load("default");
        assertNotEquals(s.refreshToken(), refreshed.refreshToken());
        assertTrue(refreshed.accessTokenExpiresAt() > java.time.Instant.now().getEpochSecond());
        assertEquals("rw-------", mode(store(home).file("default")));
        assertEquals("rwx------", mode(store(home).directory()));
        ok(run(home, "accounts", "list"));

        ok(run(home, "logout"));
        assertFalse(Files.exists(store(home).file("default")));
        // Revoked at the server: the refresh token no longer works.
        api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of("grant_type", "refresh_token",
                "client_id", CLI_CLIENT, "refresh_token", refreshed.refreshToken())).expect(400);
        fails(3, run(home, "accounts", "list"), "not logged in");
        // Profiles are separate sessions.
        Path two = sessionOf(adminName);
        Session other = store(two).load("default");
        store(two).save("work", other);
        ok(run(two, "whoami", "--profile", "work"));
        ok(run(two, "logout", "--profile", "work"));
        assertNull(store(two).load("work"));
        assertNotNull(store(two).load("default"));
    }

    @Test
    void theMciasctlClientStartsADeviceAuthorization() {
        Oidc oidc = new Oidc(new Http(), server.baseUrl(), KeycloakServer.REALM);
        Oidc.DeviceAuthorization auth = oidc.startDeviceAuthorization("mciasctl", "openid");
        assertTrue(auth.userCode().matches("[A-Z]{4}-[A-Z]{4}"), auth.userCode());
        assertTrue(auth.verificationUri().startsWith(api.realmUrl("/device")), auth.verificationUri());
        // Not approved yet: the token endpoint says so.
        JsonNode pending = api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of(
                "grant_type", "urn:ietf:params:oauth:grant-type:device_code", "client_id", "mciasctl",
                "device_code", auth.deviceCode(), "code_verifier", auth.codeVerifier())).json();
        assertEquals("authorization_pending", pending.path("error").asText(), pending.toString());
        // No other grant for mciasctl.
        assertEquals(400, api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of(
                "grant_type", "password", "client_id", "mciasctl", "username", adminName, "password", PASSWORD)).status());
    }

    @Test
    void bootstrapCreatesTheFirstRealmAdminFromTheMasterAdmin() throws Exception {
        Path home = Files.createTempDirectory(tmp, "boot-");
        String name = RealmFixtures.unique("cli-root");
        Run.Result r = ok(run(home, null, Map.of("KC_BOOTSTRAP_ADMIN_USERNAME", server.adminUsername(),
                "KC_BOOTSTRAP_ADMIN_PASSWORD", server.adminPassword()), "bootstrap", name, "--server", server.baseUrl(),
                "--email", name + "@example.test", "--first-name", "Root", "--last-name", "Admin"));
        assertTrue(r.err().contains("shown once") && r.out().lines().anyMatch(l -> l.matches("[A-Za-z0-9]{6}(-[A-Za-z0-9]{6}){3}"))
                && r.out().contains("mciasctl login"), "the password alone on its line:\n" + r);
        assertFalse(r.out().contains(server.adminPassword()), "never the master password");
        String id = api.get(api.adminRealmUrl("/users?exact=true&username=" + name), api.adminToken()).expect(200)
                .json().get(0).path("id").asText();
        JsonNode user = api.get(api.adminRealmUrl("/users/" + id), api.adminToken()).expect(200).json();
        assertTrue(user.path("requiredActions").toString().contains("CONFIGURE_TOTP"), user.toString());
        JsonNode roles = api.get(api.adminRealmUrl("/users/" + id + "/role-mappings/realm"), api.adminToken())
                .expect(200).json();
        assertTrue(roles.findValuesAsText("name").contains("admin"), roles.toString());
        // Without the master password: a usage error naming the variable, nothing created.
        fails(2, run(home, null, Map.of(), "bootstrap", name + "x", "--server", server.baseUrl(), "--email",
                "x@example.test", "--first-name", "X", "--last-name", "Y"), "KC_BOOTSTRAP_ADMIN_PASSWORD");
        fails(3, run(home, null, Map.of("KC_BOOTSTRAP_ADMIN_PASSWORD", "wrong-password"), "bootstrap", name + "y",
                "--server", server.baseUrl(), "--email", "y@example.test", "--first-name", "X", "--last-name", "Y"),
                "master admin was refused");
    }
}
