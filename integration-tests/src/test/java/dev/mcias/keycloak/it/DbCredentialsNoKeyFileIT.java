package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server of its own (separate copy of the distribution, its own database), first with a key file, then
 * restarted without one: storing, reading and rotating answer 503 {@code not_configured}, as documented.
 */
class DbCredentialsNoKeyFileIT {

    static final String KEY_OPTION = "--spi-realm-restapi-extension--db-credentials--key-file=";
    static final Path WORK = Path.of(System.getProperty("kc.test.work.dir", "target/it-work"));

    static DistributionKeycloakServer server;

    @BeforeAll
    static void start() throws Exception {
        Path keys = WORK.resolve("no-key-file.keys");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.createDirectories(WORK);
        Files.writeString(keys, "n1:" + Base64.getEncoder().encodeToString(key) + "\n");
        Path home = DistributionKeycloakServer.installedCopy("no-key-file");
        Path log = WORK.resolve("keycloak-no-key-file.log");
        Files.deleteIfExists(log);
        server = new DistributionKeycloakServer(home, TestDatabase.fromSystemProperty(),
                List.of(KEY_OPTION + keys.toAbsolutePath()), log).startOrClose();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String admin(KeycloakApi api) {
        RealmFixtures fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
        return fx.userWithRoles("dbc-nokey-admin", "admin");
    }

    @Test
    void withoutAKeyFileStoringReadingAndRotatingAnswer503() {
        KeycloakApi api = new KeycloakApi(server);
        String admin = admin(api);
        String name = RealmFixtures.unique("dbc");
        api.postJson(api.realmUrl("/system-accounts"), admin, Map.of("name", name)).expect(201);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("mode", "static");
        body.put("host", "db.example");
        body.put("database", "app");
        body.put("username", "app_user");
        body.put("password", "no-key-Pw0rd");
        api.putJson(api.realmUrl("/db-credentials/" + name), admin, body).expect(200);

        server.stop();
        server.withoutOption(KEY_OPTION);
        server.start();
        api = new KeycloakApi(server);
        admin = admin(api);
        KeycloakApi.Response read = api.get(api.realmUrl("/db-credentials/" + name), admin);
        assertEquals(503, read.status(), read.body());
        assertEquals("not_configured", read.json().path("error").asText());
        assertFalse(read.body().contains("no-key-Pw0rd"));
        KeycloakApi.Response put = api.putJson(api.realmUrl("/db-credentials/" + name), admin, body);
        assertEquals(503, put.status(), put.body());
        assertEquals("not_configured", put.json().path("error").asText());
        assertEquals(503, api.send("POST", api.realmUrl("/db-credentials/-/rotate-keys"), admin, null, null).status());
        assertEquals(404, api.get(api.realmUrl("/db-credentials/no-such-account"), admin).status());
    }
}
