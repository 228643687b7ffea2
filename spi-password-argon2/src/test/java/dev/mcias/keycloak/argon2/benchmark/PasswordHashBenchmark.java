package dev.mcias.keycloak.argon2.benchmark;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.mcias.keycloak.argon2.Argon2Parameters;
import dev.mcias.keycloak.argon2.BenchmarkAccess;
import org.keycloak.credential.hash.PasswordHashProvider;
import org.keycloak.crypto.hash.Argon2PasswordHashProvider;
import org.keycloak.models.credential.PasswordCredentialModel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Password verification (what every login costs): our native argon2id vs Keycloak's built-in Bouncy Castle
 * argon2, at identical parameters. Run with {@code spi-password-argon2/benchmark.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PasswordHashBenchmark {

    /** memory KiB / iterations / parallelism: Keycloak's built-in defaults, and OWASP's first Argon2id option. */
    @Param({"7168/5/1", "19456/2/1"})
    public String params;

    @Param({"mcias-argon2id", "keycloak-argon2"})
    public String provider;

    private PasswordHashProvider hasher;
    private PasswordCredentialModel credential;

    @Setup
    public void setUp() {
        String[] p = params.split("/");
        int m = Integer.parseInt(p[0]);
        int t = Integer.parseInt(p[1]);
        int par = Integer.parseInt(p[2]);
        int cores = Runtime.getRuntime().availableProcessors();
        hasher = "mcias-argon2id".equals(provider)
                ? BenchmarkAccess.provider(new Argon2Parameters(Argon2Parameters.Type.ID, 0x13, m, t, par, 32), cores)
                : new Argon2PasswordHashProvider("1.3", "id", 32, m, t, par, new Semaphore(cores));
        credential = hasher.encodedCredential("correct horse battery staple", -1);
        if (!hasher.verify("correct horse battery staple", credential)) {
            throw new IllegalStateException(provider + " does not verify its own hash");
        }
    }

    @Benchmark
    public boolean verify() {
        return hasher.verify("correct horse battery staple", credential);
    }
}
