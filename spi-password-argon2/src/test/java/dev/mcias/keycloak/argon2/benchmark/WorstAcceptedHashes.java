package dev.mcias.keycloak.argon2.benchmark;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import dev.mcias.keycloak.argon2.Argon2Parameters;
import dev.mcias.keycloak.argon2.LegacyHash;
import dev.mcias.keycloak.argon2.NativeArgon2;
import dev.mcias.keycloak.argon2.StoredHashLimits;
import org.keycloak.common.crypto.CryptoIntegration;
import org.keycloak.credential.hash.PasswordHashProvider;
import org.keycloak.credential.hash.Pbkdf2PasswordHashProviderFactory;
import org.keycloak.credential.hash.Pbkdf2Sha256PasswordHashProviderFactory;
import org.keycloak.credential.hash.Pbkdf2Sha512PasswordHashProviderFactory;
import org.keycloak.crypto.hash.Argon2PasswordHashProviderFactory;
import org.keycloak.models.credential.PasswordCredentialModel;

/**
 * How long the most expensive stored hash each default bound still accepts takes to verify, through the code the
 * server runs (our native Argon2, our legacy parsers, Keycloak's own built-in providers). One warm-up, then one timed
 * verification each: an upper-bound estimate for "how long can one login hold a hashing slot", not a benchmark.
 * Run: see the module README ("Cost bound on stored hashes").
 */
public final class WorstAcceptedHashes {

    private WorstAcceptedHashes() {
    }

    public static void main(String[] args) {
        CryptoIntegration.init(WorstAcceptedHashes.class.getClassLoader());
        StoredHashLimits d = StoredHashLimits.of(Argon2Parameters.OWASP, StoredHashLimits.DEFAULT_FACTOR,
                Argon2Parameters.DEFAULT_MAX_STORED_MEMORY_KIB);
        byte[] pw = "correct horse battery".getBytes(StandardCharsets.UTF_8);
        byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        String salt64 = "MDEyMzQ1Njc4OWFiY2RlZg";
        String hash64 = "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        System.out.println("libargon2 build: " + NativeArgon2.variant());

        time("argon2id m=" + d.maxArgon2Cost() / 2 + " KiB t=2", () -> NativeArgon2.hash(new Argon2Parameters(
                Argon2Parameters.Type.ID, Argon2Parameters.VERSION_13, (int) (d.maxArgon2Cost() / 2), 2, 1, 32), pw, salt));
        time("legacy bcrypt cost " + d.maxBcryptCost(), () -> LegacyHash.parse("$2b$" + d.maxBcryptCost()
                + "$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2", d).matches(pw));
        int ln = 63 - Long.numberOfLeadingZeros(d.maxScryptWork() / 8);
        time("legacy scrypt ln=" + ln + " r=8 p=1", () -> LegacyHash.parse("$scrypt$ln=" + ln + ",r=8,p=1$" + salt64
                + "$" + hash64, d).matches(pw));
        time("legacy PBKDF2-SHA256 " + d.maxPbkdf2Iterations(), () -> LegacyHash.parse("$pbkdf2-sha256$"
                + d.maxPbkdf2Iterations() + "$" + salt64 + "$" + hash64, d).matches(pw));

        // Keycloak's built-ins at the wrappers' default bounds (factor 8 for argon2, 2 for pbkdf2-sha256/-sha512, 1 for pbkdf2).
        Argon2PasswordHashProviderFactory argon2 = new Argon2PasswordHashProviderFactory();
        argon2.init(new EmptyScope());
        int m = org.keycloak.crypto.hash.Argon2Parameters.DEFAULT_MEMORY * 8;
        int t = org.keycloak.crypto.hash.Argon2Parameters.DEFAULT_ITERATIONS;
        verify("built-in argon2 m=" + m + " KiB t=" + t, argon2.create(null), PasswordCredentialModel.createFromValues(
                "argon2", salt, t, Map.of("type", List.of("id"), "version", List.of("1.3"), "memory",
                        List.of(Integer.toString(m)), "parallelism", List.of("1"), "hashLength", List.of("32")),
                Base64.getEncoder().encodeToString(new byte[32])));
        // Keycloak's deprecated SHA-1 id, still registered, is one of the wrapped built-ins.
        @SuppressWarnings("deprecation")
        PasswordHashProvider sha1 = new Pbkdf2PasswordHashProviderFactory().create(null);
        @SuppressWarnings("deprecation")
        int sha1Iterations = Pbkdf2PasswordHashProviderFactory.DEFAULT_ITERATIONS;
        verify("built-in pbkdf2 (SHA-1) " + sha1Iterations + " x 512 bit", sha1,
                PasswordCredentialModel.createFromValues("pbkdf2", salt, sha1Iterations,
                        Base64.getEncoder().encodeToString(new byte[64])));
        verify("built-in pbkdf2-sha256 " + 2 * Pbkdf2Sha256PasswordHashProviderFactory.DEFAULT_ITERATIONS + " x 256 bit",
                new Pbkdf2Sha256PasswordHashProviderFactory().create(null), PasswordCredentialModel.createFromValues(
                        "pbkdf2-sha256", salt, 2 * Pbkdf2Sha256PasswordHashProviderFactory.DEFAULT_ITERATIONS,
                        Base64.getEncoder().encodeToString(new byte[32])));
        verify("built-in pbkdf2-sha512 " + 2 * Pbkdf2Sha512PasswordHashProviderFactory.DEFAULT_ITERATIONS + " x 512 bit",
                new Pbkdf2Sha512PasswordHashProviderFactory().create(null), PasswordCredentialModel.createFromValues(
                        "pbkdf2-sha512", salt, 2 * Pbkdf2Sha512PasswordHashProviderFactory.DEFAULT_ITERATIONS,
                        Base64.getEncoder().encodeToString(new byte[64])));
    }

    private static void verify(String label, PasswordHashProvider p, PasswordCredentialModel c) {
        time(label, () -> p.verify("correct horse battery", c));
    }

    private static void time(String label, Runnable r) {
        r.run();
        long start = System.nanoTime();
        r.run();
        System.out.printf("%-45s %7.0f ms%n", label, (System.nanoTime() - start) / 1e6);
    }

    /** No options: the built-in factories' defaults. */
    private static final class EmptyScope implements org.keycloak.Config.Scope {
        public String get(String key) {
            return null;
        }

        public String get(String key, String defaultValue) {
            return defaultValue;
        }

        public String[] getArray(String key) {
            return null;
        }

        public Integer getInt(String key, Integer defaultValue) {
            return defaultValue;
        }

        public Long getLong(String key, Long defaultValue) {
            return defaultValue;
        }

        public Boolean getBoolean(String key, Boolean defaultValue) {
            return defaultValue;
        }

        public org.keycloak.Config.Scope scope(String... scope) {
            return this;
        }

        @Deprecated // as in Config.Scope, which still requires it
        public java.util.Set<String> getPropertyNames() {
            return java.util.Set.of();
        }

        public org.keycloak.Config.Scope root() {
            return this;
        }
    }
}
