package dev.mcias.keycloak.realm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Static checks of the shipped realm JSON; its runtime behaviour is covered by the integration tests. */
class RealmJsonTest {

    private static JsonNode realm;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = RealmJsonTest.class.getResourceAsStream("/realm/mcias-realm.json")) {
            assertNotNull(in, "realm JSON is packaged");
            realm = new ObjectMapper().readTree(in);
        }
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
    void auditListenerEnabled() {
        List<String> listeners = new ArrayList<>();
        realm.path("eventsListeners").forEach(n -> listeners.add(n.asText()));
        assertTrue(listeners.contains("mcias-audit"), listeners.toString());
    }
}
