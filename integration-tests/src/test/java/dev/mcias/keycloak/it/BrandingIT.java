package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mcias.keycloak.it.support.Browser;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.Totp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Tag;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Issue 15, "branded end to end": the account console, the master realm's login (the admin console's) and every
 * required-action and error page a new user can reach carry the MCIAS theme, fit a phone, and every page that sets a
 * password lists the rules before anything is typed. Screenshots: target/screenshots/brand-*.png.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("any-db")
class BrandingIT {

    static final String LOGIN_CSS = "link[href$='/login/mcias/css/mcias.css']";
    static final String BRAND = "rgb(28, 79, 138)";

    KeycloakApi api;
    RealmFixtures fx;

    @BeforeAll
    void setUp(KeycloakApi api) {
        this.api = api;
        this.fx = new RealmFixtures(api);
    }

    String accountUrl() {
        return api.realmUrl("/account/");
    }

    /** A user whose only password is temporary, with these required actions on top. */
    String newUserWithTemporaryPassword(String name, List<String> requiredActions) {
        return fx.createUser(Map.of("username", name, "enabled", true, "firstName", "New", "lastName", "Friend",
                "email", name + "@example.test", "emailVerified", true, "requiredActions", requiredActions,
                "credentials", List.of(Map.of("type", "password", "value", RealmFixtures.DEFAULT_PASSWORD,
                        "temporary", true))));
    }

    static void signIn(Browser b, String username, String password) {
        b.awaitPage("login-login");
        b.type("#username", username);
        b.type("#password", password);
        b.clickAndWait("#kc-login");
    }

    static long overflow(Browser b) {
        return ((Number) b.js("return document.documentElement.scrollWidth - window.innerWidth;")).longValue();
    }

    /**
     * The current page at desktop and phone size: a screenshot of each, our login theme served (stylesheet, brand
     * header), and no horizontal scrolling at 390 px. Leaves the browser at desktop size.
     */
    static void assertThemedAndFits(Browser b, String name) {
        for (Dimension size : List.of(Browser.DESKTOP, Browser.PHONE)) {
            b.resize(size);
            String label = name + " " + size.width + "x" + size.height;
            b.screenshot("brand-" + name + "-" + size.width + "x" + size.height);
            assertEquals(1, b.all(LOGIN_CSS).size(), label + ": the mcias login stylesheet");
            assertEquals("MCIAS", b.find("#kc-header-wrapper").getText().trim(), label + ": the brand header");
            assertTrue(String.valueOf(b.find("link[rel='icon']").getDomAttribute("href"))
                    .endsWith("/login/mcias/img/mcias-mark.svg"), label + ": the tab icon");
            assertTrue(b.find("#mcias-footer").isDisplayed(), label);
            long over = overflow(b);
            assertTrue(over <= 0, label + " scrolls sideways by " + over + " px");
        }
        b.resize(Browser.DESKTOP);
    }

    @Nested
    class GivenAnOperatorOpeningTheAdminConsole {

        @Test
        void theWelcomePageOfOurThemeSendsThemToTheAdminConsole() {
            // The default theme also names the welcome theme: ours (Keycloak's page) still redirects once an admin exists.
            KeycloakApi.Response welcome = api.get(api.url("/"), null);
            assertEquals(302, welcome.status(), welcome.body());
            assertTrue(welcome.headers().firstValue("Location").orElse("").endsWith("/admin/"),
                    welcome.headers().toString());
        }

        @Test
        void theyMeetTheMciasLoginAndTheConsoleCarriesOurLogo() {
            try (Browser b = new Browser(Browser.DESKTOP)) {
                b.open(api.url("/admin/"));
                b.awaitPage("login-login");
                assertTrue(b.driver().getCurrentUrl().contains("/realms/master/"), b.driver().getCurrentUrl());
                assertTrue(b.driver().getCurrentUrl().contains("client_id=security-admin-console"));
                assertThemedAndFits(b, "admin-console-login");
                // The master realm's display name is "Keycloak": the product name comes from the theme.
                assertEquals("Sign in to MCIAS", b.driver().getTitle());
                assertEquals(BRAND, b.js("return getComputedStyle(arguments[0]).backgroundColor;", b.find("#kc-login")));

                signIn(b, api.server().adminUsername(), api.server().adminPassword());
                WebElement logo = b.await("[data-testid='page-header'] img");
                new WebDriverWait(b.driver(), Duration.ofSeconds(30))
                        .until(d -> d.getTitle().startsWith("MCIAS administration"));
                assertTrue(logo.getDomAttribute("src").endsWith("/admin/mcias/img/mcias-logo.svg"),
                        logo.getDomAttribute("src"));
                b.screenshot("brand-admin-console-1280x900");
            }
        }
    }

    @Nested
    class GivenAUserOfTheRealm {

        @Test
        void theAccountConsoleShowsTheMciasLogoNameAndColours() {
            String name = RealmFixtures.unique("brand-acct");
            fx.createUser(name, RealmFixtures.DEFAULT_PASSWORD);
            try (Browser b = new Browser(Browser.DESKTOP)) {
                b.open(accountUrl());
                b.awaitPage("login-login");
                assertThemedAndFits(b, "account-login");
                signIn(b, name, RealmFixtures.DEFAULT_PASSWORD);
                assertAccountConsoleBranded(b, "account-console");
            }
        }
    }

    void assertAccountConsoleBranded(Browser b, String screenshot) {
        WebElement logo = b.await("[data-testid='page-header'] img");
        assertTrue(logo.getDomAttribute("src").endsWith("/account/mcias/img/mcias-logo.svg"), logo.getDomAttribute("src"));
        assertEquals("MCIAS", logo.getDomAttribute("alt"));
        assertEquals("MCIAS account", b.driver().getTitle());
        assertTrue(String.valueOf(b.find("link[rel='icon']").getDomAttribute("href"))
                .endsWith("/account/mcias/img/mcias-mark.svg"));
        assertEquals(1, b.all("link[href$='/account/mcias/css/mcias-account.css']").size());
        // Loaded, not only referenced: the masthead in our colour and the logo image decoded.
        assertEquals(BRAND, b.js("return getComputedStyle(arguments[0]).backgroundColor;",
                b.find(".pf-v5-c-masthead")));
        new WebDriverWait(b.driver(), Duration.ofSeconds(20)).until(d -> Boolean.TRUE.equals(
                b.js("return arguments[0].complete && arguments[0].naturalWidth > 0;", logo)));
        assertFalse(b.driver().getPageSource().contains("keycloak-logo"), "Keycloak's logo on the page");
        b.screenshot("brand-" + screenshot + "-1280x900");
        // Opened on a phone (the console lays itself out at load): no sideways scrolling either.
        b.resize(Browser.PHONE);
        b.open(accountUrl());
        b.await("[data-testid='page-header'] img");
        new WebDriverWait(b.driver(), Duration.ofSeconds(20)).until(d -> b.present("#personal-info, form, h1"));
        b.screenshot("brand-" + screenshot + "-390x844");
        long over = overflow(b);
        assertTrue(over <= 0, "account console on a phone scrolls sideways by " + over + " px");
        b.resize(Browser.DESKTOP);
    }

    @Nested
    class GivenANewUserWithATemporaryPassword {

        String common() throws Exception {
            Path list = Path.of(System.getProperty("mcias.password.blacklists.dir"), "mcias-common-passwords.txt");
            return Files.readAllLines(list, StandardCharsets.UTF_8).stream()
                    .filter(p -> p.length() >= 12 && p.chars().allMatch(c -> c > 32 && c < 127)).findFirst()
                    .orElseThrow();
        }

        void submitNewPassword(Browser b, String password) {
            b.type("#password-new", password);
            b.type("#password-confirm", password);
            b.clickAndWait("#kc-submit");
        }

        @Test
        void theRulesShowBeforeTypingAndEachWeakPasswordIsRefusedNamingItsRule() throws Exception {
            String name = RealmFixtures.unique("brand-temp");
            newUserWithTemporaryPassword(name, List.of());
            try (Browser b = new Browser(Browser.DESKTOP)) {
                b.open(accountUrl());
                signIn(b, name, RealmFixtures.DEFAULT_PASSWORD);
                b.awaitPage("login-login-update-password");

                // Before anything is typed: the realm's rules, above the field.
                WebElement rules = b.find("#mcias-password-rules");
                assertTrue(rules.isDisplayed());
                assertEquals("", b.find("#password-new").getDomProperty("value"));
                assertTrue(b.find("#mcias-rule-length").getText().contains("at least 12 characters"),
                        b.find("#mcias-rule-length").getText());
                assertTrue(b.find("#mcias-rule-common").getText().contains("not a common password"));
                assertTrue(b.find("#mcias-rule-not-username").getText().contains("not your username"));
                assertTrue(b.find("#mcias-rule-not-email").getText().contains("not your email"));
                assertTrue((Boolean) b.js("return arguments[0].getBoundingClientRect().bottom"
                        + " <= document.getElementById('password-new').getBoundingClientRect().top;", rules),
                        "the rules stand above the password field");
                assertThemedAndFits(b, "update-password");

                submitNewPassword(b, "Short-pw-1");
                b.awaitPage("login-login-update-password");
                b.screenshot("brand-update-password-too-short");
                assertTrue(b.errorText().contains("Too short: use at least 12 characters."), b.errorText());
                assertTrue(b.find("#mcias-password-rules").isDisplayed(), "the rules stay after an error");

                submitNewPassword(b, common());
                b.awaitPage("login-login-update-password");
                b.screenshot("brand-update-password-too-common");
                assertTrue(b.errorText().contains("Too common"), b.errorText());
                assertFalse(b.errorText().contains("Too short"), b.errorText());

                submitNewPassword(b, name);
                b.awaitPage("login-login-update-password");
                assertTrue(b.errorText().contains("must not be your username"), b.errorText());

                submitNewPassword(b, "Fresh-" + RealmFixtures.DEFAULT_PASSWORD);
                assertAccountConsoleBranded(b, "account-after-new-password");

                // The account console's "update password" is the same page, as an application-initiated action.
                b.open(api.realmUrl("/protocol/openid-connect/auth?client_id=account-console&response_type=code"
                        + "&scope=openid&kc_action=UPDATE_PASSWORD&redirect_uri="
                        + URLEncoder.encode(accountUrl(), StandardCharsets.UTF_8)
                        + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"));
                b.awaitPage("login-login-update-password");
                assertTrue(b.present("#kc-cancel"), "an application-initiated action can be cancelled");
                assertTrue(b.find("#mcias-password-rules").isDisplayed());
                assertTrue(b.find("#mcias-rule-length").getText().contains("at least 12 characters"));
                assertThemedAndFits(b, "account-update-password");
            }
        }

        @Test
        void everyRequiredActionAndErrorPageOnTheWayIsThemedAndFitsAPhone() throws Exception {
            String name = RealmFixtures.unique("brand-onboard");
            newUserWithTemporaryPassword(name, List.of("CONFIGURE_TOTP", "UPDATE_PROFILE", "webauthn-register"));
            Set<String> seen = new LinkedHashSet<>();
            try (Browser b = new Browser(Browser.DESKTOP)) {
                b.open(accountUrl());
                b.awaitPage("login-login");
                String loginAction = b.find("#kc-form-login").getDomAttribute("action");
                signIn(b, name, RealmFixtures.DEFAULT_PASSWORD);

                // Each required action in the order Keycloak asks for them; the last one (a security key) is only
                // looked at, it needs an authenticator.
                for (int step = 0; step < 6 && !seen.contains("login-webauthn-register"); step++) {
                    String page = new WebDriverWait(b.driver(), Duration.ofSeconds(20))
                            .until(d -> b.pageId().isEmpty() ? null : b.pageId());
                    assertTrue(seen.add(page), "page " + page + " came twice: " + seen + " errors " + b.errorText());
                    assertThemedAndFits(b, page.replaceFirst("^login-", ""));
                    switch (page) {
                        case "login-login-config-totp" -> {
                            b.clickAndWait("#mode-manual");
                            assertThemedAndFits(b, "login-config-totp-manual-key");
                            String key = b.await("#kc-totp-secret-key").getText();
                            b.type("#totp", Totp.code(key, 0));
                            b.clickAndWait("#saveTOTPBtn");
                        }
                        case "login-login-update-password" -> {
                            if (!seen.contains("login-login-page-expired")) {
                                // An old link of this login (the password form's action): "page expired", themed.
                                String back = b.driver().getCurrentUrl();
                                b.open(loginAction);
                                b.awaitPage("login-login-page-expired");
                                seen.add("login-login-page-expired");
                                assertThemedAndFits(b, "login-page-expired");
                                b.open(back);
                                b.awaitPage("login-login-update-password");
                            }
                            submitNewPassword(b, "Fresh-" + RealmFixtures.DEFAULT_PASSWORD);
                        }
                        case "login-login-update-profile", "login-update-user-profile" ->
                                b.clickAndWait("#kc-update-profile-form [type='submit']:not([name='cancel-aia'])");
                        case "login-webauthn-register" -> assertTrue(b.present("#registerWebAuthn"));
                        default -> throw new AssertionError("unexpected page " + page + " after " + seen);
                    }
                }
                assertTrue(seen.containsAll(List.of("login-login-config-totp", "login-login-update-password",
                        "login-login-page-expired", "login-webauthn-register")), seen.toString());
                assertTrue(seen.stream().anyMatch(p -> p.contains("profile")), seen.toString());
            }

            // Error, logout confirmation and the "signed out" info page of a signed-in user.
            String other = RealmFixtures.unique("brand-pages");
            fx.createUser(other, RealmFixtures.DEFAULT_PASSWORD);
            try (Browser b = new Browser(Browser.DESKTOP)) {
                b.open(api.realmUrl("/protocol/openid-connect/auth?client_id=no-such-app&response_type=code"
                        + "&scope=openid&redirect_uri=https%3A%2F%2Fapp.example.test%2Fcb"));
                b.awaitPage("login-error");
                assertThemedAndFits(b, "error");
                assertEquals("Client not found.", b.find("#kc-error-message .instruction").getText().trim());

                b.open(accountUrl());
                signIn(b, other, RealmFixtures.DEFAULT_PASSWORD);
                b.await("[data-testid='page-header']");
                b.open(api.realmUrl("/protocol/openid-connect/logout"));
                b.awaitPage("login-logout-confirm");
                assertThemedAndFits(b, "logout-confirm");
                b.clickAndWait("#kc-logout");
                b.awaitPage("login-info");
                assertThemedAndFits(b, "info-signed-out");
            }
        }
    }
}
