package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.mcias.keycloak.it.support.DistributionKeycloakServer;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's saturation measurement as a test, on a server of its own with one hashing slot and a 1 ms wait (the
 * shared server keeps a sane bound): a burst of concurrent logins by distinct users gets HTTP 503 with the OAuth error
 * {@code temporarily_unavailable} for the logins that found no slot, never "invalid credentials", and the server
 * serves logins again afterwards. (No Retry-After: Keycloak's error handler rebuilds the response without it.)
 */
@Tag("any-db")
class PasswordArgon2SaturationIT {

    static final int USERS = 24;
    static final int MAX_ROUNDS = 5;

    @Test
    void saturatedHashingAnswers503NeverInvalidCredentials() throws Exception {
        assumeFalse("testcontainers".equals(System.getProperty("kc.test.launcher")), "needs the local distribution");
        Path work = Path.of(System.getProperty("kc.test.work.dir", "target/it-work"));
        Path home = DistributionKeycloakServer.installedCopy("argon2-saturation");
        Path log = work.resolve("keycloak-argon2-saturation.log");
        Files.deleteIfExists(log);
        try (DistributionKeycloakServer server = new DistributionKeycloakServer(home, TestDatabase.fromSystemProperty(),
                List.of("--spi-password-hashing--argon2id--max-concurrent=1",
                        "--spi-password-hashing--argon2id--max-wait-millis=1"), log)) {
            server.start();
            KeycloakApi api = new KeycloakApi(server);
            RealmFixtures fx = new RealmFixtures(api);
            fx.ensurePasswordGrantClient();
            // Distinct users: Keycloak's brute-force protector refuses concurrent logins of one user by design.
            List<String> users = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                users.add(RealmFixtures.unique("saturate"));
                fx.createUser(users.get(i), PasswordArgon2IT.PASSWORD);
            }

            Map<Integer, Integer> seen = new TreeMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(USERS);
            try {
                // Rounds until one login found no slot (usually the first), bounded.
                for (int round = 0; round < MAX_ROUNDS && !seen.containsKey(503); round++) {
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<KeycloakApi.Response>> results = new ArrayList<>();
                    for (String user : users) {
                        results.add(pool.submit(() -> {
                            go.await();
                            return fx.passwordGrant(user, PasswordArgon2IT.PASSWORD);
                        }));
                    }
                    go.countDown();
                    for (Future<KeycloakApi.Response> f : results) {
                        KeycloakApi.Response r = f.get(120, TimeUnit.SECONDS);
                        seen.merge(r.status(), 1, Integer::sum);
                        if (r.status() == 503) {
                            assertEquals("temporarily_unavailable", r.json().path("error").asText(), r.body());
                        } else {
                            assertEquals(200, r.status(), r.body());
                        }
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            assertTrue(seen.containsKey(503), "no login was turned away in " + MAX_ROUNDS + " rounds: " + seen);
            assertTrue(seen.containsKey(200), "no login got a slot: " + seen);
            assertFalse(seen.containsKey(400), "a saturated login looked like invalid credentials: " + seen);

            // Slots are given back: once the burst is over, every user logs in.
            for (String user : users.subList(0, 3)) {
                fx.passwordGrant(user, PasswordArgon2IT.PASSWORD).expect(200);
            }
        }
    }
}
