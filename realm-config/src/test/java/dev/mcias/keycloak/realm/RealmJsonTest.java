package dev.mcias.keycloak.realm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Static checks of the shipped realm JSON and of the example clients kept apart from it; their runtime behaviour is
 * covered by the integration tests.
 */
class RealmJsonTest {

    /** The only placeholders the example clients may use; each is documented in the README. */
    static final Set<String> ENV = Set.of("MCIAS_WEBAPP_URL", "MCIAS_WEBAPP_CLIENT_SECRET", "MCIAS_SPA_URL");
    static final Set<String> KEYCLOAK_URL_TOKENS = Set.of("authBaseUrl", "authAdminUrl");
    static final Set<String> EXAMPLE_CLIENTS = Set.of("mcias-example-webapp", "mcias-example-spa", "mcias-example-members",
            "example-job");
    /** Client scopes Keycloak creates in every realm (CreateDefaultClientScopes). */
    static final Set<String> BUILT_IN_SCOPES = Set.of("web-origins", "acr", "profile", "roles", "basic", "email",
            "address", "phone", "offline_access", "microprofile-jwt", "organization", "service_account");

    private static JsonNode realm;
    private static String text;
    private static JsonNode examples;
    private static String examplesText;

    @BeforeAll
    static void load() throws Exception {
        text = resource("/realm/mcias-realm.json");
        realm = new ObjectMapper().readTree(text);
        examplesText = resource("/examples/mcias-examples.json");
        examples = new ObjectMapper().readTree(examplesText);
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = RealmJsonTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name + " is packaged");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Clients of the production realm followed by the example clients. */
    private static List<JsonNode> allClients() {
        List<JsonNode> all = new ArrayList<>();
        realm.path("clients").forEach(all::add);
        examples.path("clients").forEach(all::add);
        return all;
    }

    private static Set<String> placeholders(String json) {
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([^}]*)}").matcher(json);
        while (m.find()) {
            // Keycloak's own root-URL tokens, resolved per request (the built-in account client uses them too).
            if (!KEYCLOAK_URL_TOKENS.contains(m.group(1))) {
                used.add(m.group(1));
            }
        }
        return used;
    }

    @Test
    void productionRealmHasNoExampleClientsNoExampleRoleAndNoPlaceholders() {
        assertTrue(realm.path("clients").isArray(), "the realm keeps its clients array");
        for (JsonNode client : realm.path("clients")) {
            assertFalse(EXAMPLE_CLIENTS.contains(client.path("clientId").asText()), client.path("clientId").asText());
        }
        assertFalse(realm.path("roles").path("realm").findValuesAsText("name").contains("example-job"));
        // Nothing environment-specific: the realm imports as it is, with no variable to set.
        assertEquals(Set.of(), placeholders(text));
        assertFalse(text.contains("example-job") || text.contains("mcias-example"), "no reference to the examples");
    }

    @Test
    void examplesArePartialImportOfExactlyTheExampleClientsAndTheirRole() {
        // The body of POST /admin/realms/mcias/partialImport: existing resources are left alone, so importing twice
        // (or into a realm an admin changed) changes nothing.
        assertEquals("SKIP", examples.path("ifResourceExists").asText());
        Set<String> ids = new TreeSet<>(examples.path("clients").findValuesAsText("clientId"));
        assertEquals(new TreeSet<>(EXAMPLE_CLIENTS), ids);
        assertEquals(List.of("example-job", "app:mcias-example-members"),
                examples.path("roles").path("realm").findValuesAsText("name"));
        assertFalse(examples.has("realm"), "not a realm file: --import-realm must never pick it up");
        List<String> fields = new ArrayList<>();
        examples.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("ifResourceExists", "roles", "clients", "users"), fields);
    }

    @Test
    void everyExampleClientWithServiceAccountsHasItsServiceAccountUser() {
        // The partial import, unlike the realm import, creates no service-account user by itself.
        Set<String> withServiceAccount = new TreeSet<>();
        for (JsonNode client : examples.path("clients")) {
            if (client.path("serviceAccountsEnabled").asBoolean()) {
                withServiceAccount.add(client.path("clientId").asText());
            }
        }
        Set<String> linked = new TreeSet<>();
        for (JsonNode user : examples.path("users")) {
            String clientId = user.path("serviceAccountClientId").asText();
            assertEquals("service-account-" + clientId, user.path("username").asText());
            // What Keycloak gives a service-account user it creates itself.
            assertEquals(List.of("default-roles-mcias"), textList(user.path("realmRoles")));
            linked.add(clientId);
        }
        assertEquals(Set.of("example-job"), withServiceAccount);
        assertEquals(withServiceAccount, linked);
    }

    private static List<String> textList(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void environmentSpecificValuesArePlaceholdersWithDocumentedNames() throws Exception {
        assertEquals(new TreeSet<>(ENV), placeholders(examplesText));
        String readme = Files.readString(Path.of("README.md"));
        for (String name : ENV) {
            assertTrue(readme.contains(name), name + " documented");
        }
        for (JsonNode client : allClients()) {
            if (client.has("secret")) {
                assertTrue(client.path("secret").asText().matches("\\$\\{[A-Z_]+}"), client.path("clientId").asText());
            }
            for (JsonNode uri : client.path("redirectUris")) {
                // Relative ones are relative to Keycloak's own URL (the apps page's client mcias-apps).
                boolean keycloakRelative = uri.asText().startsWith("/")
                        && "${authBaseUrl}".equals(client.path("rootUrl").asText());
                assertTrue(uri.asText().startsWith("${") || keycloakRelative, uri.asText());
            }
        }
    }

    @Test
    void exampleClientsUseOnlyScopesTheRealmHas() {
        Set<String> known = new TreeSet<>(BUILT_IN_SCOPES);
        realm.path("clientScopes").forEach(s -> known.add(s.path("name").asText()));
        for (JsonNode client : examples.path("clients")) {
            for (String field : List.of("defaultClientScopes", "optionalClientScopes")) {
                for (JsonNode scope : client.path(field)) {
                    assertTrue(known.contains(scope.asText()), client.path("clientId").asText() + " " + scope);
                }
            }
        }
    }

    @Test
    void clientsUseCodeFlowOnlyAndPublicOnesPkce() {
        assertTrue(allClients().size() >= 4);
        for (JsonNode client : allClients()) {
            String id = client.path("clientId").asText();
            assertFalse(client.path("implicitFlowEnabled").asBoolean(), id);
            // admin-cli is the one password-grant client (kcadm.sh and the curl examples need it).
            assertEquals(id.equals("admin-cli"), client.path("directAccessGrantsEnabled").asBoolean(), id);
            if (client.path("publicClient").asBoolean()) {
                assertEquals("S256", client.path("attributes").path("pkce.code.challenge.method").asText(), id);
            }
        }
        List<String> executors = realm.path("clientProfiles").findValuesAsText("executor");
        assertTrue(executors.contains("pkce-enforcer") && executors.contains("reject-implicit-grant"), executors.toString());
    }

    @Test
    void onlyAdminFacingClientsAndSystemAccountsCanGetTokensForTheMciasApis() {
        JsonNode scope = null;
        for (JsonNode s : realm.path("clientScopes")) {
            if ("mcias-api".equals(s.path("name").asText())) {
                scope = s;
            }
        }
        assertNotNull(scope, "client scope mcias-api");
        assertEquals(List.of("mcias-api"), scope.path("protocolMappers").findValuesAsText("included.custom.audience"));
        // Listing client scopes stops Keycloak from creating its built-in ones unless the realm asks for them.
        assertEquals("true", realm.path("attributes").path("CreateDefaultClientScopes").asText());
        assertFalse(realm.path("defaultDefaultClientScopes").toString().contains("mcias-api"));
        assertFalse(realm.path("defaultOptionalClientScopes").toString().contains("mcias-api"));
        boolean adminCli = false;
        for (JsonNode client : allClients()) {
            String id = client.path("clientId").asText();
            adminCli |= id.equals("admin-cli");
            boolean asDefault = client.path("defaultClientScopes").toString().contains("mcias-api");
            boolean asOptional = client.path("optionalClientScopes").toString().contains("mcias-api");
            boolean systemAccount = "system-account-token".equals(client.path("clientAuthenticatorType").asText());
            assertEquals(id.equals("admin-cli") || id.equals("mciasctl"), asDefault, id);
            assertEquals(systemAccount, asOptional, id);
        }
        assertTrue(adminCli, "the production realm defines admin-cli");
    }

    @Test
    void mciasctlIsAPublicDeviceGrantOnlyClient() {
        JsonNode client = null;
        for (JsonNode c : realm.path("clients")) {
            if ("mciasctl".equals(c.path("clientId").asText())) {
                client = c;
            }
        }
        assertNotNull(client, "client mciasctl");
        assertTrue(client.path("publicClient").asBoolean());
        assertFalse(client.path("standardFlowEnabled").asBoolean());
        assertFalse(client.path("implicitFlowEnabled").asBoolean());
        assertFalse(client.path("directAccessGrantsEnabled").asBoolean());
        assertFalse(client.path("serviceAccountsEnabled").asBoolean());
        assertTrue(client.path("fullScopeAllowed").asBoolean());
        assertEquals("true", client.path("attributes").path("oauth2.device.authorization.grant.enabled").asText());
        assertEquals("false", client.path("attributes").path("oidc.ciba.grant.enabled").asText());
        assertEquals("S256", client.path("attributes").path("pkce.code.challenge.method").asText());
        assertEquals(List.of("web-origins", "acr", "profile", "roles", "basic", "email", "mcias-api"),
                KeycloakJson.texts(client.path("defaultClientScopes")));
        // The one device-grant client: no other client offers a grant where the CLI could be impersonated.
        for (JsonNode c : realm.path("clients")) {
            boolean device = "true".equals(c.path("attributes").path("oauth2.device.authorization.grant.enabled").asText());
            assertEquals("mciasctl".equals(c.path("clientId").asText()), device, c.path("clientId").asText());
        }
    }

    @Test
    void realmAdminCarriesTheRealmManagementRightsForUsersRolesAndClients() {
        JsonNode admin = null;
        for (JsonNode r : realm.path("roles").path("realm")) {
            if ("admin".equals(r.path("name").asText())) {
                admin = r;
            }
        }
        assertNotNull(admin, "realm role admin");
        assertTrue(admin.path("composite").asBoolean());
        assertEquals(List.of("view-realm", "manage-realm", "view-users", "manage-users", "query-users", "query-groups",
                "view-clients", "manage-clients", "query-clients", "view-events"),
                KeycloakJson.texts(admin.path("composites").path("client").path("realm-management")));
        // Never all of realm-management: no realm-admin, no manage-authorization, no manage-events.
        String composites = admin.path("composites").toString();
        assertFalse(composites.contains("realm-admin") || composites.contains("manage-authorization")
                || composites.contains("manage-events") || composites.contains("impersonation"), composites);
        assertFalse(admin.path("composites").has("realm"), "no realm-role composites");
    }

    /** Small helper for JSON arrays of strings. */
    private static final class KeycloakJson {
        static List<String> texts(JsonNode array) {
            List<String> out = new java.util.ArrayList<>();
            array.forEach(n -> out.add(n.asText()));
            return out;
        }
    }

    @Test
    void tokenAndSessionLifetimes() {
        assertEquals(300, realm.path("accessTokenLifespan").asInt());
        assertTrue(realm.path("revokeRefreshToken").asBoolean());
        assertEquals(0, realm.path("refreshTokenMaxReuse").asInt());
        assertEquals(2592000, realm.path("ssoSessionMaxLifespan").asInt());
    }

    @Test
    void totpPolicyWorksWithCommonApps() {
        assertEquals("totp", realm.path("otpPolicyType").asText());
        assertEquals("HmacSHA1", realm.path("otpPolicyAlgorithm").asText());
        assertEquals(6, realm.path("otpPolicyDigits").asInt());
        assertEquals(30, realm.path("otpPolicyPeriod").asInt());
    }

    @Test
    void commonPasswordListIsPackagedWithTheNameThePolicyUses() throws Exception {
        Matcher m = Pattern.compile("passwordBlacklist\\(([^)]+)\\)").matcher(realm.path("passwordPolicy").asText());
        assertTrue(m.find());
        Path list = Path.of("target/classes/password-blacklists").resolve(m.group(1));
        List<String> lines = Files.readAllLines(list, StandardCharsets.UTF_8);
        assertTrue(lines.size() > 10_000, "list has " + lines.size() + " entries");
        assertTrue(lines.contains("password") && lines.contains("123456"));
    }

    @Test
    void signsWithEd25519ByDefault() {
        assertEquals("EdDSA", realm.path("defaultSignatureAlgorithm").asText());
        List<JsonNode> eddsa = new ArrayList<>();
        realm.path("components").path("org.keycloak.keys.KeyProvider")
                .forEach(k -> { if ("eddsa-generated".equals(k.path("providerId").asText())) eddsa.add(k); });
        assertEquals(1, eddsa.size());
        assertEquals("Ed25519", eddsa.get(0).path("config").path("eddsaEllipticCurveKey").get(0).asText());
    }

    @Test
    void baselineSecuritySettings() {
        assertEquals("mcias", realm.path("realm").asText());
        assertEquals("external", realm.path("sslRequired").asText());
        assertTrue(realm.path("bruteForceProtected").asBoolean());
        // Manual user life cycle (the MCIAS spec): no self-registration, no e-mail based reset.
        assertFalse(realm.path("registrationAllowed").asBoolean());
        assertFalse(realm.path("resetPasswordAllowed").asBoolean());
        assertTrue(realm.path("roles").path("realm").findValuesAsText("name").contains("admin"));
    }

    @Test
    void clientAuthenticationFlowIncludesSystemAccountTokens() {
        String flowAlias = realm.path("clientAuthenticationFlow").asText();
        JsonNode flow = null;
        for (JsonNode f : realm.path("authenticationFlows")) {
            if (flowAlias.equals(f.path("alias").asText())) {
                flow = f;
            }
        }
        assertNotNull(flow, "client authentication flow " + flowAlias + " is defined");
        assertEquals("client-flow", flow.path("providerId").asText());
        List<String> authenticators = flow.path("authenticationExecutions").findValuesAsText("authenticator");
        assertEquals(List.of("system-account-token", "client-secret", "client-jwt", "client-secret-jwt", "client-x509"),
                authenticators);
    }

    @Test
    void passwordsUseArgon2id() {
        assertTrue(realm.path("passwordPolicy").asText().contains("hashAlgorithm(argon2id)"));
    }

    @Test
    void auditAndAppAccessListenersOnlySoNoUsernameIsLoggedInClear() {
        List<String> listeners = new ArrayList<>();
        realm.path("eventsListeners").forEach(n -> listeners.add(n.asText()));
        assertEquals(List.of("mcias-audit", "mcias-app-access"), listeners);
    }

    private static JsonNode flow(String alias) {
        for (JsonNode f : realm.path("authenticationFlows")) {
            if (alias.equals(f.path("alias").asText())) {
                return f;
            }
        }
        throw new AssertionError("flow " + alias + " is defined");
    }

    private static List<String> steps(JsonNode flow) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : flow.path("authenticationExecutions")) {
            out.add(e.path("requirement").asText() + " "
                    + (e.path("authenticatorFlow").asBoolean() ? e.path("flowAlias").asText() : e.path("authenticator").asText()));
        }
        return out;
    }

    @Test
    void membersOnlyCheckRunsAfterEverySignInPathAndOnEveryTokenRequest() {
        // Keycloak ignores ALTERNATIVE steps that share a level with a REQUIRED one, so the cookie and the forms
        // alternatives live in a REQUIRED subflow and the check follows it: both paths pass through the check.
        JsonNode browser = flow(realm.path("browserFlow").asText());
        assertEquals(List.of("REQUIRED mcias browser sign-in", "REQUIRED mcias-app-access"), steps(browser));
        assertEquals(List.of("ALTERNATIVE auth-cookie", "ALTERNATIVE mcias browser forms"), steps(flow("mcias browser sign-in")));
        List<String> directGrant = steps(flow(realm.path("directGrantFlow").asText()));
        assertEquals("REQUIRED mcias-app-access-direct-grant", directGrant.get(directGrant.size() - 1));
        // The client-policy executor checks every client's token requests (refresh, code, device, exchange ...).
        boolean covered = false;
        for (JsonNode policy : realm.path("clientPolicies").path("policies")) {
            if (policy.path("enabled").asBoolean()
                    && policy.path("conditions").findValuesAsText("condition").equals(List.of("any-client"))) {
                for (JsonNode profileName : policy.path("profiles")) {
                    for (JsonNode profile : realm.path("clientProfiles").path("profiles")) {
                        if (profile.path("name").asText().equals(profileName.asText())
                                && profile.path("executors").findValuesAsText("executor").contains("mcias-app-access")) {
                            covered = true;
                        }
                    }
                }
            }
        }
        assertTrue(covered, "an enabled any-client policy runs the mcias-app-access executor");
    }
}
