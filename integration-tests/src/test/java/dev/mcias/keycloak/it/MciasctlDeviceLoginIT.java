package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mcias.ctl.Env;
import dev.mcias.ctl.Mciasctl;
import dev.mcias.ctl.Run;
import dev.mcias.keycloak.it.support.Browser;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.KeycloakServer;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.Totp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code mciasctl login} end to end: the CLI starts the device grant, headless Chromium signs in on the realm's
 * pages with password and TOTP, and the CLI then works with the stored session; a denied sign-in is a clear
 * error.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("any-db")
class MciasctlDeviceLoginIT {

    static final String PASSWORD = RealmFixtures.DEFAULT_PASSWORD;
    static final Pattern COMPLETE = Pattern.compile("or open (\\S+)");

    @TempDir
    Path tmp;

    KeycloakApi api;
    KeycloakServer server;
    RealmFixtures fx;

    @BeforeAll
    void setUp(KeycloakApi api, KeycloakServer server) {
        this.api = api;
        this.server = server;
        this.fx = new RealmFixtures(api);
    }

    /** {@code mciasctl login} running in the background, with its output readable while it waits. */
    final class Login {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CompletableFuture<Integer> exit;

        Login(Path home) {
            Env env = new Env(Map.of("XDG_CONFIG_HOME", home.toString(), "HOME", home.toString()),
                    java.io.InputStream.nullInputStream(), new PrintWriter(out, true), new PrintWriter(err, true),
                    Clock.systemUTC(), false);
            exit = CompletableFuture.supplyAsync(() -> Mciasctl.commandLine(env).execute("login", "--server",
                    server.baseUrl()));
        }

        /** Waits for the prompt and returns the verification URL with the user code in it. */
        String verificationUrl() throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && !exit.isDone()) {
                Matcher m = COMPLETE.matcher(out.toString());
                if (m.find()) {
                    return m.group(1);
                }
                TimeUnit.MILLISECONDS.sleep(50); // polling for the prompt, not a fixed wait
            }
            throw new AssertionError("no prompt: " + out + err + (exit.isDone() ? " exit " + exit.get() : ""));
        }

        int awaitExit() throws Exception {
            return exit.get(90, TimeUnit.SECONDS);
        }
    }

    /** Waits until the browser shows one of these Keycloak pages; returns which. */
    static String awaitOneOf(Browser b, Set<String> pages) {
        return new WebDriverWait(b.driver(), Duration.ofSeconds(20))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> pages.contains(b.pageId()) ? b.pageId() : null);
    }

    void submitPassword(Browser b, String username) {
        b.awaitPage("login-login");
        b.type("#username", username);
        b.type("#password", PASSWORD);
        b.clickAndWait("#kc-login");
    }

    /** The device page may ask to confirm the code first (when the URL carries it, it usually does not). */
    static void confirmCodeIfAsked(Browser b) {
        String page = awaitOneOf(b, Set.of("login-login", "login-oauth2-device-verify-user-code"));
        if (page.equals("login-oauth2-device-verify-user-code")) {
            b.clickAndWait("input[type=submit], button[type=submit]");
        }
    }

    @Test
    void adminSignsInWithPasswordAndTotpOnTheDevicePageAndTheCliWorks() throws Exception {
        String name = RealmFixtures.unique("device-admin");
        fx.grantRealmRole(fx.createUser(name, PASSWORD), "admin");
        Path home = Files.createTempDirectory(tmp, "home-");
        Login login = new Login(home);
        String url = login.verificationUrl();
        assertTrue(url.startsWith(api.realmUrl("/device")), url);
        String key;
        try (Browser b = new Browser(Browser.DESKTOP)) {
            b.open(url);
            confirmCodeIfAsked(b);
            submitPassword(b, name);
            // An admin without TOTP is made to set it up, here as on every login page of the realm.
            b.awaitPage("login-login-config-totp");
            b.clickAndWait("#mode-manual");
            key = b.await("#kc-totp-secret-key").getText();
            b.type("#totp", Totp.code(key, 0));
            b.type("#userLabel", "phone");
            b.clickAndWait("#saveTOTPBtn");
            // The device grant asks the user to confirm access for the CLI.
            if ("login-login-oauth-grant".equals(awaitOneOf(b, Set.of("login-login-oauth-grant", "login-info")))) {
                b.screenshot("mciasctl-device-grant");
                b.clickAndWait("#kc-login");
            }
            assertEquals(0, login.awaitExit(), login.out + "\n" + login.err);
        }
        assertTrue(login.out.toString().contains("Logged in to " + server.baseUrl() + " realm mcias as " + name),
                login.out.toString());
        Path file = home.resolve("mciasctl/default.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String stored = Files.readString(file);
        assertTrue(stored.contains("\"client_id\":\"mciasctl\""), "session of the mciasctl client");

        Map<String, String> env = Map.of("XDG_CONFIG_HOME", home.toString(), "HOME", home.toString());
        Run.Result who = Run.run(env, null, "whoami", "-o", "json");
        assertEquals(0, who.code(), who.toString());
        assertTrue(who.out().contains("\"username\" : \"" + name + "\""), who.toString());
        // Its token carries the audience of the MCIAS APIs and the realm-management rights of the admin role.
        Run.Result accounts = Run.run(env, null, "accounts", "list");
        assertEquals(0, accounts.code(), accounts.toString());
        Run.Result users = Run.run(env, null, "users", "list", "--search", name);
        assertEquals(0, users.code(), users.toString());
        assertTrue(users.out().contains(name), users.toString());
        Run.Result logout = Run.run(env, null, "logout");
        assertEquals(0, logout.code(), logout.toString());
        assertEquals(3, Run.run(env, null, "accounts", "list").code());
    }

    @Test
    void aDeniedSignInIsAClearError() throws Exception {
        String name = RealmFixtures.unique("device-user");
        fx.createUser(name, PASSWORD);
        Path home = Files.createTempDirectory(tmp, "home-");
        Login login = new Login(home);
        String url = login.verificationUrl();
        try (Browser b = new Browser(Browser.DESKTOP)) {
            b.open(url);
            confirmCodeIfAsked(b);
            submitPassword(b, name);
            b.awaitPage("login-login-oauth-grant");
            b.clickAndWait("#kc-cancel");
            assertEquals(3, login.awaitExit(), login.out + "\n" + login.err);
        }
        assertEquals("mciasctl: login failed: the sign-in was denied\n", login.err.toString());
        assertTrue(Files.notExists(home.resolve("mciasctl/default.json")));
    }
}
