package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.AuditRows;
import dev.mcias.keycloak.it.support.Browser;
import dev.mcias.keycloak.it.support.ExampleSpa;
import dev.mcias.keycloak.it.support.Jwt;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.Totp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Tag;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.virtualauthenticator.HasVirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;

/** The imported realm and the mcias login theme in headless Chromium, through the example SPA client. */
@ExtendWith(KeycloakExtension.class)
@Tag("any-db")
class BrowserIT {

    static final String SPA = "mcias-example-spa";
    static ExampleSpa spa;

    KeycloakApi api;
    RealmFixtures fx;

    @BeforeEach
    void setUp(KeycloakApi api) {
        this.api = api;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        synchronized (BrowserIT.class) {
            if (spa == null) {
                spa = new ExampleSpa(api.realmUrl(""));
            }
        }
    }

    @AfterAll
    static void stopSpa() {
        if (spa != null) {
            spa.close();
            spa = null;
        }
    }

    /** Opens the SPA, clicks a button and waits for the login page. */
    void startAt(Browser b, String button) {
        b.open(spa.url());
        waitText(b, "#status", "signed-out");
        b.clickAndWait(button);
        b.awaitPage("login-login");
    }

    void submitPassword(Browser b, String username, String password) {
        b.type("#username", username);
        b.type("#password", password);
        b.clickAndWait("#kc-login");
    }

    /** Waits for the SPA callback to finish and returns its status line. */
    String spaStatus(Browser b) {
        new WebDriverWait(b.driver(), Duration.ofSeconds(20)).until(d -> {
            String s = b.present("#status") ? b.find("#status").getText() : "";
            return s.equals("signed-in") || s.startsWith("error");
        });
        return b.find("#status").getText();
    }

    static void waitText(Browser b, String css, String text) {
        new WebDriverWait(b.driver(), Duration.ofSeconds(20)).until(d -> text.equals(b.await(css).getText()));
    }

    JsonNode spaTokens(Browser b) throws Exception {
        return KeycloakApi.JSON.readTree(b.find("#tokens").getText());
    }

    @Test
    void spaSignsInWithAuthorizationCodeAndPkceAndGetsEd25519Tokens() throws Exception {
        String name = RealmFixtures.unique("spa-user");
        fx.createUser(name, RealmFixtures.DEFAULT_PASSWORD);
        try (Browser b = new Browser(Browser.DESKTOP)) {
            startAt(b, "#signin");
            assertTrue(b.driver().getCurrentUrl().contains("code_challenge_method=S256"));
            b.screenshot("01-login-page");
            submitPassword(b, name, RealmFixtures.DEFAULT_PASSWORD);
            assertEquals("signed-in", spaStatus(b));
            b.screenshot("01-spa-signed-in");
            JsonNode tokens = spaTokens(b);
            Jwt access = Jwt.parse(tokens.path("access_token").asText());
            assertEquals("EdDSA", access.header.path("alg").asText());
            assertTrue(access.verifiesWithEd25519(api.get(api.realmUrl("/protocol/openid-connect/certs"), null)
                    .expect(200).json()));
            assertEquals(SPA, access.claims.path("azp").asText());
            assertEquals(name, access.claims.path("preferred_username").asText());
            assertEquals(api.realmUrl(""), access.claims.path("iss").asText());
            assertEquals(300, access.claims.path("exp").asLong() - access.claims.path("iat").asLong());
            assertEquals("EdDSA", Jwt.parse(tokens.path("id_token").asText()).header.path("alg").asText());

            // Refresh tokens rotate; the replaced one is refused.
            String first = tokens.path("refresh_token").asText();
            JsonNode rotated = refresh(first).expect(200).json();
            assertNotEquals(first, rotated.path("refresh_token").asText());
            refresh(first).expect(400);
        }
    }

    KeycloakApi.Response refresh(String refreshToken) {
        return api.postForm(api.realmUrl("/protocol/openid-connect/token"), null,
                Map.of("grant_type", "refresh_token", "client_id", SPA, "refresh_token", refreshToken));
    }

    @Test
    void wrongPasswordAndUnknownUserShowTheSameErrorAndFiveFailuresLockTheAccount() throws Exception {
        // The realm locks a user at once after two failures within quickLoginCheckMilliSeconds (1 s). This test
        // counts failures against failureFactor, so the check is narrowed to 1 ms while it runs: no waits between
        // the attempts, and no quick-login lock standing in for the one under test.
        int quickLoginCheck = api.get(api.adminRealmUrl(""), api.adminToken()).expect(200).json()
                .path("quickLoginCheckMilliSeconds").asInt();
        api.putJson(api.adminRealmUrl(""), api.adminToken(), Map.of("quickLoginCheckMilliSeconds", 1)).expect(204);
        try {
            failuresCountTowardsTheLockout();
        } finally {
            api.putJson(api.adminRealmUrl(""), api.adminToken(), Map.of("quickLoginCheckMilliSeconds",
                    quickLoginCheck)).expect(204);
        }
    }

    private void failuresCountTowardsTheLockout() throws Exception {
        String almost = RealmFixtures.unique("almost-locked");
        fx.createUser(almost, RealmFixtures.DEFAULT_PASSWORD);
        String locked = RealmFixtures.unique("locked");
        String lockedId = fx.createUser(locked, RealmFixtures.DEFAULT_PASSWORD);
        try (Browser b = new Browser(Browser.DESKTOP)) {
            startAt(b, "#signin");
            submitPassword(b, RealmFixtures.unique("nobody"), "Wrong-password-123");
            b.awaitPage("login-login");
            String unknownUser = b.errorText();
            b.screenshot("02-unknown-user");
            submitPassword(b, almost, "Wrong-password-123");
            b.awaitPage("login-login");
            String wrongPassword = b.errorText();
            b.screenshot("02-wrong-password");
            assertTrue(wrongPassword.startsWith("Invalid username or password."), wrongPassword);
            assertEquals(unknownUser, wrongPassword);

            // Four failures (one less than failureFactor): not locked yet.
            for (int i = 1; i < 4; i++) {
                submitPassword(b, almost, "Wrong-password-123");
                b.awaitPage("login-login");
            }
            submitPassword(b, almost, RealmFixtures.DEFAULT_PASSWORD);
            assertEquals("signed-in", spaStatus(b));
        }
        try (Browser b = new Browser(Browser.DESKTOP)) {
            startAt(b, "#signin");
            for (int i = 0; i < 5; i++) {
                submitPassword(b, locked, "Wrong-password-123");
                b.awaitPage("login-login");
            }
            submitPassword(b, locked, RealmFixtures.DEFAULT_PASSWORD);
            b.awaitPage("login-login");
            b.screenshot("02-locked-out");
            assertTrue(b.errorText().startsWith("Invalid username or password."), b.errorText());
            assertTrue(b.errorText().contains("paused"), b.errorText());
        }
        JsonNode state = api.get(api.url("/admin/realms/mcias/attack-detection/brute-force/users/" + lockedId),
                api.adminToken()).expect(200).json();
        assertTrue(state.path("disabled").asBoolean(), state.toString());
        assertTrue(state.path("numFailures").asInt() >= 5, state.toString());
    }

    /** Signs out through the SPA, signs in again with the password and waits for the TOTP code page. */
    void signOutAndBackInToTheCodePage(Browser b, String username) {
        b.clickAndWait("#signout");
        waitText(b, "#status", "signed-out");
        b.clickAndWait("#signin");
        b.awaitPage("login-login");
        submitPassword(b, username, RealmFixtures.DEFAULT_PASSWORD);
        b.awaitPage("login-login-otp");
    }

    /** Reads the manual key from the TOTP setup page, enters a valid code and returns the key. */
    String setUpTotp(Browser b, String screenshotPrefix) {
        b.awaitPage("login-login-config-totp");
        b.screenshot(screenshotPrefix + "-qr");
        assertTrue(b.find("#kc-totp-secret-qr-code").isDisplayed());
        b.clickAndWait("#mode-manual");
        String key = b.await("#kc-totp-secret-key").getText();
        b.screenshot(screenshotPrefix + "-manual-key");
        assertTrue(b.find("#kc-totp-algorithm").getText().endsWith("SHA1"));
        assertTrue(b.find("#kc-totp-digits").getText().endsWith("6"));
        assertTrue(b.find("#kc-totp-period").getText().endsWith("30"));
        b.type("#totp", Totp.code(key, 0));
        b.type("#userLabel", "phone");
        b.clickAndWait("#saveTOTPBtn");
        return key;
    }

    @Test
    void userSetsUpTotpThenNeedsPasswordAndCodeAndAWrongCodeIsRefused() throws Exception {
        String name = RealmFixtures.unique("totp-user");
        String userId = fx.createUser(name, RealmFixtures.DEFAULT_PASSWORD);
        String key;
        try (Browser b = new Browser(Browser.DESKTOP)) {
            // The app offers "set up TOTP" (application-initiated action CONFIGURE_TOTP).
            startAt(b, "#totp");
            submitPassword(b, name, RealmFixtures.DEFAULT_PASSWORD);
            key = setUpTotp(b, "03-totp-setup");
            assertEquals("signed-in", spaStatus(b));

            signOutAndBackInToTheCodePage(b, name);
            b.screenshot("03-totp-code-page");
            Set<String> valid = Set.of(Totp.code(key, -1), Totp.code(key, 0), Totp.code(key, 1), Totp.code(key, 2));
            String wrong = "000000";
            while (valid.contains(wrong)) {
                wrong = String.format("%06d", (Integer.parseInt(wrong) + 1));
            }
            b.type("#otp", wrong);
            b.clickAndWait("#kc-login");
            b.awaitPage("login-login-otp");
            b.screenshot("03-totp-wrong-code");
            assertEquals("Invalid authenticator code.", b.errorText());
            // The setup used this window's code and codes are single-use: the next window's code is accepted.
            b.type("#otp", Totp.code(key, 1));
            b.clickAndWait("#kc-login");
            assertEquals("signed-in", spaStatus(b));
        }

        // Issue 5: the TOTP setup is in the audit trail, without the key or codes.
        String adminToken = fx.userWithRoles("totp-auditor", "admin");
        JsonNode records = api.get(api.realmUrl("/audit/events?limit=100&user=" + userId), adminToken).expect(200)
                .json().path("events");
        List<String> types = new ArrayList<>();
        records.forEach(r -> types.add(r.path("type").asText()));
        assertTrue(types.contains("UPDATE_CREDENTIAL") || types.contains("UPDATE_TOTP"), types.toString());
        JsonNode setup = null;
        for (JsonNode r : records) {
            if (r.path("type").asText().startsWith("UPDATE_")) {
                setup = r;
            }
        }
        assertEquals("success", setup.path("outcome").asText());
        assertEquals("otp", setup.path("details").path("credential_type").asText(), setup.toString());
        String everything = records.toString() + AuditRows.rawTable(api);
        assertFalse(everything.contains(key.replace(" ", "")), "TOTP key stored");
        assertFalse(everything.contains(key), "TOTP key stored");
    }

    @Test
    void adminWithoutTotpIsMadeToSetItUp() {
        String name = RealmFixtures.unique("new-admin");
        String id = fx.createUser(name, RealmFixtures.DEFAULT_PASSWORD);
        fx.grantRealmRole(id, "admin");
        try (Browser b = new Browser(Browser.DESKTOP)) {
            startAt(b, "#signin");
            submitPassword(b, name, RealmFixtures.DEFAULT_PASSWORD);
            b.awaitPage("login-login-config-totp");
            // A required setup: no way to skip it.
            assertFalse(b.present("#cancelTOTPBtn"));
            String key = setUpTotp(b, "04-admin-totp-setup");
            assertEquals("signed-in", spaStatus(b));

            // Next time: password, then exactly one TOTP prompt.
            signOutAndBackInToTheCodePage(b, name);
            b.type("#otp", Totp.code(key, 1));
            b.clickAndWait("#kc-login");
            assertEquals("signed-in", spaStatus(b));
        }
        JsonNode creds = api.get(api.adminRealmUrl("/users/" + id + "/credentials"), api.adminToken()).expect(200).json();
        assertTrue(creds.findValuesAsText("type").contains("otp"), creds.toString());
    }

    @Test
    void userRegistersWebAuthnAsSecondFactorAndSignsInWithIt() {
        String name = RealmFixtures.unique("webauthn-user");
        String id = fx.createUser(name, RealmFixtures.DEFAULT_PASSWORD);
        // WebAuthn needs a domain as relying party id (not an IP address): reach Keycloak as localhost.
        String realm = api.realmUrl("").replace("://127.0.0.1:", "://localhost:");
        String auth = realm + "/protocol/openid-connect/auth?client_id=" + SPA + "&response_type=code&scope=openid"
                + "&redirect_uri=" + java.net.URLEncoder.encode(spa.url() + "callback", java.nio.charset.StandardCharsets.UTF_8)
                + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=webauthn";
        try (Browser b = new Browser(Browser.DESKTOP)) {
            VirtualAuthenticatorOptions key = new VirtualAuthenticatorOptions()
                    .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                    .setTransport(VirtualAuthenticatorOptions.Transport.USB)
                    .setHasUserVerification(true).setIsUserVerified(true).setHasResidentKey(false);
            ((HasVirtualAuthenticator) b.driver()).addVirtualAuthenticator(key);

            // The app offers "register a security key" (application-initiated action webauthn-register).
            b.open(auth + "&kc_action=webauthn-register");
            b.awaitPage("login-login");
            submitPassword(b, name, RealmFixtures.DEFAULT_PASSWORD);
            b.awaitPage("login-webauthn-register");
            b.screenshot("06-webauthn-register");
            clickWhenReady(b, "#registerWebAuthn", ExpectedConditions.alertIsPresent());
            b.driver().switchTo().alert().sendKeys("test key");
            b.driver().switchTo().alert().accept();
            new WebDriverWait(b.driver(), Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().startsWith(spa.url()));
            assertTrue(b.driver().getCurrentUrl().contains("code="), b.driver().getCurrentUrl());
            JsonNode creds = api.get(api.adminRealmUrl("/users/" + id + "/credentials"), api.adminToken()).expect(200).json();
            assertTrue(creds.findValuesAsText("type").contains("webauthn"), creds.toString());

            // A new login: password, then the security key instead of a code.
            // Drop Keycloak's cookies from a page without scripts (a script page such as the account console
            // could start a login of its own in between, which Keycloak would then finish instead of ours).
            b.open(realm + "/.well-known/openid-configuration");
            b.driver().manage().deleteAllCookies();
            b.open(auth);
            b.awaitPage("login-login");
            submitPassword(b, name, RealmFixtures.DEFAULT_PASSWORD);
            b.awaitPage("login-webauthn-authenticate");
            b.screenshot("06-webauthn-authenticate");
            clickWhenReady(b, "#authenticateWebAuthnButton", d -> d.getCurrentUrl().startsWith(spa.url()));
            assertTrue(b.driver().getCurrentUrl().contains("code="), b.driver().getCurrentUrl());
        }
    }

    /**
     * Clicks a WebAuthn button once its page has finished loading (Keycloak attaches the handlers from a
     * JavaScript module) and waits for {@code done}; on failure, says where the browser ended up.
     */
    static <T> void clickWhenReady(Browser b, String css, java.util.function.Function<org.openqa.selenium.WebDriver, T> done) {
        new WebDriverWait(b.driver(), Duration.ofSeconds(20))
                .until(d -> "complete".equals(b.js("return document.readyState;")));
        b.find(css).click();
        try {
            new WebDriverWait(b.driver(), Duration.ofSeconds(20)).until(done);
        } catch (org.openqa.selenium.TimeoutException e) {
            b.screenshot("06-webauthn-stuck");
            throw new AssertionError("after " + css + ": " + b.driver().getCurrentUrl() + " page " + b.pageId()
                    + " errors " + b.errorText(), e);
        }
    }

    @Test
    void themeIsServedAndUsableAtDesktopAndPhoneSizes() {
        try (Browser b = new Browser(Browser.DESKTOP)) {
            startAt(b, "#signin");
            for (Dimension size : List.of(Browser.DESKTOP, Browser.PHONE)) {
                b.resize(size);
                String label = size.width + "x" + size.height;
                b.screenshot("05-login-" + label);
                // Ours: the footer template, the stylesheet and the brand colour on the primary button.
                assertTrue(b.find("#mcias-footer").isDisplayed(), label);
                assertTrue(b.all("link[href$='/login/mcias/css/mcias.css']").size() == 1, label);
                WebElement signIn = b.find("#kc-login");
                assertEquals("rgb(28, 79, 138)", b.js("return getComputedStyle(arguments[0]).backgroundColor;", signIn), label);
                assertEquals("Sign in to MCIAS", b.find("#kc-page-title").getText().trim(), label);
                // Fits the viewport: no horizontal scrolling, the button fully visible.
                long overflow = ((Number) b.js("return document.documentElement.scrollWidth - window.innerWidth;")).longValue();
                assertTrue(overflow <= 0, label + " overflows by " + overflow + "px");
                long right = ((Number) b.js("return Math.ceil(arguments[0].getBoundingClientRect().right);", signIn)).longValue();
                assertTrue(right <= size.width, label);
                // Labels and contrast (WCAG AA: 4.5:1 for text).
                assertTrue(b.present("label[for='username']") && b.present("label[for='password']"), label);
                assertTrue(contrast(b, "#kc-login") >= 4.5, label + " button contrast " + contrast(b, "#kc-login"));
                assertTrue(contrast(b, "#mcias-footer") >= 4.5, label + " footer contrast " + contrast(b, "#mcias-footer"));
                assertTrue(contrast(b, "label[for='username']") >= 4.5, label);
                assertTrue(contrast(b, "#kc-header-wrapper") >= 4.5, label + " brand contrast " + contrast(b, "#kc-header-wrapper"));
            }
            // Keyboard: username, password, then (after the show-password toggle) the sign-in button, with a visible ring.
            b.resize(Browser.DESKTOP);
            b.find("#username").click();
            List<String> order = new ArrayList<>();
            order.add(String.valueOf(b.js("return document.activeElement.id;")));
            for (int i = 0; i < 3; i++) {
                b.driver().switchTo().activeElement().sendKeys(Keys.TAB);
                order.add(String.valueOf(b.js("return document.activeElement.id;")));
            }
            assertEquals(List.of("username", "password", "password-show-password", "kc-login"), order);
            String outline = String.valueOf(b.js("return getComputedStyle(document.activeElement).outlineStyle;"));
            b.screenshot("05-focus-on-sign-in-button");
            assertNotEquals("none", outline);
        }
    }

    /** WCAG contrast ratio between an element's text colour and the first opaque background behind it. */
    static double contrast(Browser b, String css) {
        Object r = b.js("""
                const el = document.querySelector(arguments[0]);
                const rgb = s => s.match(/[\\d.]+/g).map(Number);
                const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
                    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
                    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
                let bg = null;
                for (let n = el; n && !bg; n = n.parentElement) {
                  const c = rgb(getComputedStyle(n).backgroundColor);
                  if (c.length < 4 || c[3] === 1) { if (c.length >= 3 && !(c.length === 4 && c[3] === 0)) bg = c; }
                }
                bg = bg || [255, 255, 255];
                const fg = lum(rgb(getComputedStyle(el).color)), bl = lum(bg);
                return (Math.max(fg, bl) + 0.05) / (Math.min(fg, bl) + 0.05);
                """, css);
        return ((Number) r).doubleValue();
    }
}
