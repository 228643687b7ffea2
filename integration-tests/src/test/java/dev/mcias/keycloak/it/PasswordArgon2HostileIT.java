package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcias.keycloak.it.support.KeycloakApi;
import dev.mcias.keycloak.it.support.RealmFixtures;
import dev.mcias.keycloak.it.support.SharedServerTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Stored credentials whose parameters would make one login cost minutes of CPU or gigabytes of memory, imported
 * through every provider id an operator can name (Keycloak's built-in ids included): a login against them is
 * refused quickly, and the server keeps answering. Keycloak's own well-formed hashes under those ids still verify.
 */
@Tag("any-db")
class PasswordArgon2HostileIT extends SharedServerTest {

    /**
     * Refusing is a parse and a comparison; computing any of these hashes takes from 5 s (bcrypt cost 16) to
     * minutes on our machines. The bound leaves room for a loaded CI host.
     */
    static final Duration QUICK = Duration.ofSeconds(3);
    static final String SALT = "MDEyMzQ1Njc4OWFiY2RlZg=="; // "0123456789abcdef"
    static final String SOME_HASH = "BVALGMmC/K/8ELErc5VgJxyPFApArIZRCQsqjEgZWJ4=";

    /** Keycloak's own credential layout ({@code credentialData} + {@code secretData}) with hostile parameters. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // Built-in argon2 (Bouncy Castle, on the heap): 1 GiB x 8 passes.
            "argon2        | 8        | 1048576",
            "pbkdf2        | 20000000 | ",
            "pbkdf2-sha256 | 20000000 | ",
            "pbkdf2-sha512 | 20000000 | ",
            // Ours: each value within the old separate limits (m <= 1 GiB, t <= 64), 64 GiB-passes together.
            "argon2id      | 64       | 1048576",
    })
    void hostileKeycloakFormatCredentialIsRefusedQuickly(String algorithm, int iterations, Integer memory) {
        Map<String, Object> params = memory == null ? Map.of()
                : Map.of("type", List.of("id"), "version", List.of("1.3"), "memory", List.of(memory.toString()),
                "parallelism", List.of("1"), "hashLength", List.of("32"));
        assertRefusedQuicklyAndServerAnswers(algorithm.trim(), iterations, params, SOME_HASH, SALT);
    }

    /** Hashes as other systems export them, imported through legacy-import, each far above the cost bound. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "argon2id-phc | $argon2id$v=19$m=1048576,t=64,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
            "bcrypt-16    | $2b$16$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
            "scrypt-2^24  | $scrypt$ln=18,r=8,p=8$TmFDbC1zYWx0LTE2Ynl0ZQ$gkjuJFs/EcPBaq4PINEJDtMUKZqNDASRkiG2Vv24NBg",
            "pbkdf2-10M   | $pbkdf2-sha256$9999999$TmFDbC1zYWx0LTE2Ynl0ZQ$k66qdNHMvcsEJzqaVAYX3bwHP7J5nT5lS312sjkTJ6Y",
    })
    void hostileImportedHashIsRefusedQuickly(String label, String hash) {
        assertRefusedQuicklyAndServerAnswers("legacy-import", 0, Map.of(), hash.trim(), "");
    }

    /**
     * Overriding the built-in ids keeps Keycloak's behaviour for sane credentials: reference vectors (OpenSSL's
     * PBKDF2 via Python's hashlib, the Argon2 reference test suite) log in and are re-hashed to the realm's argon2id.
     * (No wrong-password attempt first: the realm's brute-force quick-login check would lock the user for the right
     * one; wrong passwords against these providers are unit-tested.)
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "pbkdf2-sha256 | 1000 | correct horse battery | BVALGMmC/K/8ELErc5VgJxyPFApArIZRCQsqjEgZWJ4=",
            "pbkdf2-sha512 | 1000 | correct horse battery | 7F/Y1rnWXXurLCfFvAmyjyXtbABhgzBTBNcm//wlnvGBOz7OExlgRFs5qwaY5PzB3/WjR7P4yv/ACDQZpDXIfQ==",
            "pbkdf2        | 1000 | correct horse battery | rDjxw4qmzpl4HTyqLNYNsdE5Zi5hOVtuAtSpIuv9sre4VuMqmB4GODFe6Wixy274SVuULGbsfRdOmmfrHd+XnQ==",
    })
    void saneBuiltInPbkdf2CredentialStillLogsIn(String algorithm, int iterations, String password, String hash)
            throws Exception {
        String name = RealmFixtures.unique("sane-" + algorithm.trim());
        String id = fx.createUser(RealmFixtures.importedUser(name, algorithm.trim(), iterations, Map.of(),
                hash.trim(), SALT));
        fx.passwordGrant(name, password.trim()).expect(200);
        fx.awaitPasswordAlgorithm(id, "argon2id");
    }

    @Test
    void saneBuiltInArgon2CredentialStillLogsIn() throws Exception {
        // Reference vector: Argon2id v1.3, m=256 KiB, t=2, p=1, "password" / "somesalt".
        String name = RealmFixtures.unique("sane-argon2");
        String id = fx.createUser(RealmFixtures.importedUser(name, "argon2", 2,
                Map.of("type", List.of("id"), "version", List.of("1.3"), "memory", List.of("256"),
                        "parallelism", List.of("1"), "hashLength", List.of("32")),
                "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4=", "c29tZXNhbHQ="));
        fx.passwordGrant(name, "password").expect(200);
        fx.awaitPasswordAlgorithm(id, "argon2id");
    }

    private void assertRefusedQuicklyAndServerAnswers(String algorithm, int iterations, Map<String, Object> params,
                                                      String value, String salt) {
        String name = RealmFixtures.unique("hostile-" + algorithm);
        fx.createUser(RealmFixtures.importedUser(name, algorithm, iterations, params, value, salt));

        long start = System.nanoTime();
        KeycloakApi.Response r = fx.passwordGrant(name, "any password at all");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(400, r.status(), r.body());
        assertEquals("invalid_grant", r.json().path("error").asText());
        assertTrue(took.compareTo(QUICK) < 0, algorithm + " login took " + took);

        // Nothing is left running in the background: a normal login is answered at once.
        String ok = RealmFixtures.unique("after-hostile");
        fx.createUser(ok, PasswordArgon2IT.PASSWORD);
        start = System.nanoTime();
        fx.passwordGrant(ok, PasswordArgon2IT.PASSWORD).expect(200);
        took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(QUICK) < 0, "normal login after a hostile one took " + took);
    }


}
