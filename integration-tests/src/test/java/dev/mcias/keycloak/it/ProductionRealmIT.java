package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.ExampleApps;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * The production realm imported alone, as the image imports it (no example clients, no environment variables), and
 * the example clients added to it afterwards the way run-local.sh and the shared test server do (admin REST partial
 * import), twice. H2 pass only: on PostgreSQL {@link OptimizedServerIT} imports the production realm alone.
 */
class ProductionRealmIT {

    static final Set<String> EXAMPLE_CLIENTS = Set.of("mcias-example-webapp", "mcias-example-spa", "mcias-example-members",
            "example-job");

    @Test
    void productionRealmAloneHasNoExampleClientsAndTheExamplesImportOnTopOnce() throws Exception {
        assumeTrue("h2".equals(System.getProperty("kc.test.db", "h2")), "H2 pass (OptimizedServerIT covers PostgreSQL)");
        Path home = DistributionKeycloakServer.installedCopy("production-realm");
        Path log = Path.of(System.getProperty("kc.test.work.dir", "target/it-work")).resolve("keycloak-production-realm.log");
        Files.deleteIfExists(log);
        // Only the production realm is in data/import: installedCopy puts exactly what the image puts there.
        try (var imports = Files.list(home.resolve("data/import"))) {
            assertEquals(List.of("mcias-realm.json"), imports.map(p -> p.getFileName().toString()).toList());
        }
        try (DistributionKeycloakServer server = new DistributionKeycloakServer(home, TestDatabase.fromSystemProperty(),
                List.of(), log)) {
            server.start();
            KeycloakApi api = new KeycloakApi(server);
            String token = api.adminToken();

            JsonNode clients = api.get(api.adminRealmUrl("/clients"), token).expect(200).json();
            Set<String> ids = new TreeSet<>(clients.findValuesAsText("clientId"));
            assertTrue(ids.contains("admin-cli") && ids.contains("account"), ids.toString());
            for (String example : EXAMPLE_CLIENTS) {
                assertFalse(ids.contains(example), example + " in the production realm: " + ids);
            }
            // Nothing was left as an unresolved placeholder (the server has no MCIAS_* variables).
            assertFalse(clients.toString().contains("${MCIAS"), clients.toString());
            api.get(api.adminRealmUrl("/roles/example-job"), token).expect(404);
            api.get(api.adminRealmUrl("/roles/admin"), token).expect(200);
            JsonNode adminCliScopes = api.get(api.adminRealmUrl("/clients/" + uuid(clients, "admin-cli")
                    + "/default-client-scopes"), token).expect(200).json();
            assertTrue(adminCliScopes.findValuesAsText("name").contains("mcias-api"), adminCliScopes.toString());

            // The examples on top: four clients, two roles and the service-account user added, placeholders filled in.
            JsonNode first = ExampleApps.importInto(api);
            assertEquals(7, first.path("added").asInt(), first.toString());
            assertEquals(0, first.path("skipped").asInt(), first.toString());
            JsonNode after = api.get(api.adminRealmUrl("/clients"), api.adminToken()).expect(200).json();
            assertTrue(new TreeSet<>(after.findValuesAsText("clientId")).containsAll(EXAMPLE_CLIENTS));
            JsonNode spa = client(after, "mcias-example-spa");
            assertEquals(ExampleApps.spaUrl() + "/*", spa.path("redirectUris").path(0).asText(), spa.toString());
            JsonNode job = client(after, "example-job");
            assertEquals("system-account-token", job.path("clientAuthenticatorType").asText());
            JsonNode members = client(after, "mcias-example-members");
            assertEquals("true", members.path("attributes").path("mcias.members-only").asText(), members.toString());
            api.get(api.adminRealmUrl("/roles/" + members.path("attributes").path("mcias.access-role").asText()),
                    api.adminToken()).expect(200);
            JsonNode jobOptional = api.get(api.adminRealmUrl("/clients/" + job.path("id").asText()
                    + "/optional-client-scopes"), api.adminToken()).expect(200).json();
            assertTrue(jobOptional.findValuesAsText("name").contains("mcias-api"), jobOptional.toString());
            JsonNode serviceAccount = api.get(api.adminRealmUrl("/clients/" + job.path("id").asText()
                    + "/service-account-user"), api.adminToken()).expect(200).json();
            assertEquals("service-account-example-job", serviceAccount.path("username").asText());

            // Importing again changes nothing, also not what an admin changed in the meantime.
            api.putJson(api.adminRealmUrl("/clients/" + spa.path("id").asText()), api.adminToken(),
                    Map.of("clientId", "mcias-example-spa", "description", "changed by an admin")).expect(204);
            JsonNode second = ExampleApps.importInto(api);
            assertEquals(0, second.path("added").asInt(), second.toString());
            assertEquals(7, second.path("skipped").asInt(), second.toString());
            assertEquals("changed by an admin", api.get(api.adminRealmUrl("/clients/" + spa.path("id").asText()),
                    api.adminToken()).expect(200).json().path("description").asText());
        }
    }

    static JsonNode client(JsonNode clients, String clientId) {
        for (JsonNode c : clients) {
            if (clientId.equals(c.path("clientId").asText())) {
                return c;
            }
        }
        throw new AssertionError(clientId + " not found");
    }

    static String uuid(JsonNode clients, String clientId) {
        return client(clients, clientId).path("id").asText();
    }
}
