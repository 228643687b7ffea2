package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.KeycloakExtension;
import dev.mcias.keycloak.it.support.KeycloakServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The pack loads on a stock Keycloak: providers registered, realm imported, Ed25519 signing key published. */
@ExtendWith(KeycloakExtension.class)
class PackSmokeIT {

    /** SPI id -> our provider ids in it. */
    static final Map<String, List<String>> OUR_PROVIDERS = Map.of(
            "password-hashing", List.of("argon2id", "legacy-import"),
            "client-authenticator", List.of("system-account-token"),
            "realm-restapi-extension", List.of("system-accounts", "db-credentials", "audit"),
            "eventsListener", List.of("mcias-audit"),
            "authenticator", List.of("mcias-app-access", "mcias-app-access-direct-grant"),
            "client-policy-executor", List.of("mcias-app-access"));

    @Test
    void serverLogHasNoProviderErrorsAtStartup(KeycloakServer server) throws IOException {
        // Startup only: later tests provoke logged errors on purpose (e.g. a missing encryption key).
        List<String> startup = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(server.logFile())) {
            startup.add(line);
            if (line.contains("Keycloak ") && line.contains(" started in ")) {
                break;
            }
        }
        List<String> errors = startup.stream()
                .filter(l -> l.contains(" ERROR ") || l.contains("ServiceConfigurationError")
                        // KC-SERVICES0047 only notes that an SPI is internal: expected for these SPIs.
                        || (l.contains("dev.mcias") && l.contains(" WARN ") && !l.contains("KC-SERVICES0047")))
                .collect(Collectors.toList());
        assertEquals(List.of(), errors, "log " + server.logFile());
    }

    @Test
    void everyProviderIsRegistered(KeycloakApi api) {
        JsonNode info = api.get(api.url("/admin/serverinfo"), api.adminToken()).expect(200).json();
        OUR_PROVIDERS.forEach((spi, ids) -> {
            JsonNode registered = info.path("providers").path(spi).path("providers");
            for (String id : ids) {
                assertTrue(registered.has(id), spi + " lacks " + id + ": " + registered);
            }
        });
        List<String> loginThemes = info.path("themes").path("login").findValuesAsText("name");
        assertTrue(loginThemes.contains("mcias"), loginThemes.toString());
    }

    @Test
    void realmIsImported(KeycloakApi api) {
        JsonNode realm = api.get(api.adminRealmUrl(""), api.adminToken()).expect(200).json();
        assertEquals(KeycloakServer.REALM, realm.path("realm").asText());
        assertEquals("EdDSA", realm.path("defaultSignatureAlgorithm").asText());
        assertEquals("external", realm.path("sslRequired").asText());
        assertTrue(realm.path("bruteForceProtected").asBoolean());
        api.get(api.adminRealmUrl("/roles/admin"), api.adminToken()).expect(200);
    }

    @Test
    void discoveryAndEd25519Jwks(KeycloakApi api) {
        JsonNode discovery = api.get(api.realmUrl("/.well-known/openid-configuration"), null).expect(200).json();
        assertEquals(api.realmUrl(""), discovery.path("issuer").asText());
        List<String> algs = listOf(discovery.path("id_token_signing_alg_values_supported"));
        assertTrue(algs.contains("EdDSA"), algs.toString());

        JsonNode jwks = api.get(discovery.path("jwks_uri").asText(), null).expect(200).json();
        boolean ed25519 = false;
        for (JsonNode key : jwks.path("keys")) {
            ed25519 |= "OKP".equals(key.path("kty").asText()) && "Ed25519".equals(key.path("crv").asText())
                    && "EdDSA".equals(key.path("alg").asText()) && "sig".equals(key.path("use").asText());
        }
        assertTrue(ed25519, "no Ed25519 signing key in " + jwks);
    }

    private static List<String> listOf(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false)
                .map(JsonNode::asText).collect(Collectors.toList());
    }
}
