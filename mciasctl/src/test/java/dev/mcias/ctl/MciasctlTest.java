package dev.mcias.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.mcias.client.Session;
import dev.mcias.client.SessionStore;

/** What the tool decides without a server: usage, exit codes, refusing unsafe files. */
class MciasctlTest {

    @TempDir
    Path xdg;

    Run.Result run(String... args) {
        return Run.run(Map.of("XDG_CONFIG_HOME", xdg.toString(), "HOME", xdg.toString()), null, args);
    }

    @Test
    void helpNamesTheEnvironmentVariablesAndExitCodes() {
        Run.Result r = run("--help");
        assertEquals(0, r.code(), r.toString());
        for (String s : new String[] {"MCIASCTL_DB_PASSWORD", "MCIASCTL_PASSWORD", "KC_BOOTSTRAP_ADMIN_PASSWORD",
                "XDG_CONFIG_HOME", "3  not logged in", "4  not found or forbidden", "accounts", "db-creds", "audit",
                "users", "roles", "apps", "invites", "bootstrap", "login", "logout"}) {
            assertTrue(r.out().contains(s), s + "\n" + r);
        }
    }

    @Test
    void aCallBuildsOnlyTheTopLevelCommandItNamesAndTheWholeTreeWhenItNamesNone() {
        java.util.Set<String> all = Mciasctl.commandLine(Env.system()).getSubcommands().keySet();
        assertTrue(all.containsAll(java.util.List.of("users", "apps", "audit", "help", "generate-completion")), all.toString());
        assertEquals(java.util.Set.of("users"), Mciasctl.commandLine(Env.system(), "--profile", "users", "-o", "json",
                "users", "list").getSubcommands().keySet(), "--profile's value is no command name");
        for (String[] args : new String[][] {{}, {"--help"}, {"-o", "json"}, {"help", "users"}, {"usres", "list"},
                {"generate-completion"}}) {
            assertEquals(all, Mciasctl.commandLine(Env.system(), args).getSubcommands().keySet(), String.join(" ", args));
        }
        Run.Result typo = run("usres", "list");
        assertEquals(2, typo.code(), typo.toString());
        assertEquals("mciasctl: Unmatched arguments from index 0: 'usres', 'list' (see: mciasctl --help)\n",
                typo.err(), typo.toString());
    }

    @Test
    void notLoggedInIsExitCode3WithOneLine() {
        Run.Result r = run("accounts", "list");
        assertEquals(3, r.code(), r.toString());
        assertEquals("mciasctl: not logged in (profile default); run: mciasctl login --server URL\n", r.err());
    }

    @Test
    void usageErrorsAreExitCode2() {
        Run.Result unknown = run("accounts", "frobnicate");
        assertEquals(2, unknown.code());
        assertEquals("mciasctl: Unmatched argument at index 1: 'frobnicate' (see: mciasctl accounts --help)\n",
                unknown.err());
        assertEquals(2, run("db-creds", "get", "a", "--format", "yaml").code());
        assertEquals(2, run("accounts", "list", "--profile", "../x").code());
        assertEquals(2, run("login").code(), "login without --server");
        Run.Result r = run("accounts", "token", "renew", "--account", "x");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--token-file"), r.toString());
    }

    @Test
    void offlineAuditVerificationNeedsNoLoginAndChecksItsArguments() throws Exception {
        Path export = xdg.resolve("audit.ndjson");
        Files.writeString(export, "");
        Path keys = xdg.resolve("keys.txt");
        Files.writeString(keys, "k1:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n");
        Run.Result onlyFile = run("audit", "verify", "--file", export.toString());
        assertEquals(2, onlyFile.code(), onlyFile.toString());
        assertTrue(onlyFile.err().contains("--public-key"), onlyFile.toString());
        Files.writeString(xdg.resolve("bad.txt"), "k1:bm90IGEga2V5\n");
        assertEquals(2, run("audit", "verify", "--file", export.toString(), "--public-key",
                xdg.resolve("bad.txt").toString()).code());
        assertEquals(2, run("audit", "verify", "--file", xdg.resolve("missing").toString(), "--public-key",
                keys.toString()).code(), "no such file");
        // An empty export: nothing to prove, nothing broken; no server, no session needed.
        Run.Result empty = run("audit", "verify", "--file", export.toString(), "--public-key", keys.toString());
        assertEquals(0, empty.code(), empty.toString());
        // A record without any checkpoint proves nothing: exit code 1, the position named.
        Files.writeString(export, "{\"id\":\"a\",\"seq\":1,\"realm_id\":\"r\",\"prev_hash\":\""
                + "0".repeat(64) + "\",\"hash\":\"x\"}\n");
        Run.Result broken = run("audit", "verify", "--file", export.toString(), "--public-key", keys.toString());
        assertEquals(1, broken.code(), broken.toString());
        assertTrue(broken.out().startsWith("Export BROKEN at seq 1: "), broken.toString());
    }

    @Test
    void aSessionFileOthersCanReadIsRefused() throws Exception {
        SessionStore store = new SessionStore(xdg.resolve("mciasctl"));
        store.save("default", new Session("http://127.0.0.1:9", "mcias", "mciasctl", "u", "r", "a", 0));
        Files.setPosixFilePermissions(store.file("default"), PosixFilePermissions.fromString("rw-r--r--"));
        Run.Result r = run("accounts", "list");
        assertEquals(3, r.code(), r.toString());
        assertTrue(r.err().startsWith("mciasctl: refusing to use it: ") && r.err().contains("chmod 600"), r.toString());
        assertEquals(1, r.err().lines().count(), "one line, no stack trace");
    }

    @Test
    void anUnreachableServerIsExitCode1WithoutAStackTrace() throws Exception {
        new SessionStore(xdg.resolve("mciasctl")).save("default",
                new Session("http://127.0.0.1:9", "mcias", "mciasctl", "u", "r", null, 0));
        Run.Result r = run("accounts", "list");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().startsWith("mciasctl: cannot reach http://127.0.0.1:9"), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
    }

    @Test
    void aMissingOrOpenTokenFileIsRefused() throws Exception {
        Run.Result r = run("accounts", "show", "job", "--account", "job", "--token-file", xdg.resolve("none").toString(),
                "--server", "http://127.0.0.1:9");
        assertEquals(3, r.code(), r.toString());
        assertTrue(r.err().contains("does not exist"), r.toString());
        Path open = xdg.resolve("open-token");
        Files.writeString(open, "mcias_sat_x");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-rw-r--"));
        r = run("accounts", "show", "job", "--account", "job", "--token-file", open.toString(),
                "--server", "http://127.0.0.1:9");
        assertEquals(3, r.code(), r.toString());
        assertTrue(r.err().contains("chmod 600"), r.toString());
    }

    @Test
    void dbPasswordMustComeFromAFileStdinOrTheEnvironment() throws Exception {
        new SessionStore(xdg.resolve("mciasctl")).save("default",
                new Session("http://127.0.0.1:9", "mcias", "mciasctl", "u", "r", null, 0));
        Run.Result r = run("db-creds", "set", "job", "--host", "h", "--database", "d", "--username", "u");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("MCIASCTL_DB_PASSWORD"), r.toString());
    }

    @Test
    void inviteDurationsAndOptionsAreCheckedBeforeAnyCall() {
        assertEquals(90 * 60, InviteCommands.seconds("90m"));
        assertEquals(7 * 86400, InviteCommands.seconds("7d"));
        assertEquals(12 * 3600, InviteCommands.seconds("12H"));
        assertEquals(3600, InviteCommands.seconds("PT1H"));
        Run.Result noEmail = run("users", "invite", "--send-email");
        assertEquals(2, noEmail.code(), noEmail.toString());
        assertTrue(noEmail.err().contains("--send-email needs --email"), noEmail.toString());
        Run.Result badDuration = run("users", "invite", "--expires", "soon");
        assertEquals(2, badDuration.code(), badDuration.toString());
        Run.Result body = run("users", "invite", "--role", "a", "--role", "b", "--app", "grafana", "--expires", "2d");
        assertEquals(3, body.code(), "valid options reach the (absent) login: " + body);
        java.util.Map<String, Object> b = InviteCommands.body("alice", "a@example.org", java.util.List.of("a", "b"),
                "grafana", "2d", "for Alice", true);
        assertEquals(java.util.List.of("a", "b"), b.get("roles"));
        assertEquals(2L * 86400, b.get("expires_in"));
        assertEquals(true, b.get("send_email"));
        Run.Result revoke = run("invites", "revoke");
        assertEquals(2, revoke.code(), "revoke needs an ID");
    }
}
