package dev.mcias.keycloak.argon2;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The hashing slot of one Keycloak session's provider. For a password check the slot is reserved when Keycloak
 * creates the provider: that call is outside Keycloak's password-verification try/catch, so running out of slots
 * surfaces as a server error instead of being turned into "invalid credentials" (and a brute-force strike). The
 * first hash uses the reserved slot; later hashes take a fresh one.
 */
final class SessionHashingSlot implements AutoCloseable {

    static final String PASSWORD_CHECK_CLASS = "org.keycloak.credential.PasswordCredentialProvider";
    static final String PASSWORD_CHECK_METHOD = "isValid";
    static final String REHASH_METHOD = "rehashPasswordIfRequired";

    private final HashingLimiter limiter;
    private HashingLimiter.Permit reserved;

    private SessionHashingSlot(HashingLimiter limiter, HashingLimiter.Permit reserved) {
        this.limiter = limiter;
        this.reserved = reserved;
    }

    /**
     * For Keycloak's password check ({@code PasswordCredentialProvider.isValid}, outside its re-hash check): reserves
     * a slot now or fails as temporarily unavailable, while Keycloak can still turn the failure into an error
     * response instead of "invalid credentials". Every other caller (policy validation, re-hash check, setting a
     * password, realm import) reserves nothing: it takes a slot only when it actually hashes, so a provider that
     * never hashes cannot sit on a slot while its thread waits for another one.
     */
    static SessionHashingSlot reserve(HashingLimiter limiter) {
        return reserve(limiter, calledFromPasswordCheck());
    }

    static SessionHashingSlot reserve(HashingLimiter limiter, boolean forPasswordCheck) {
        return new SessionHashingSlot(limiter, forPasswordCheck ? limiter.acquire() : null);
    }

    private static boolean calledFromPasswordCheck() {
        boolean[] seen = new boolean[2]; // isValid, rehashPasswordIfRequired
        StackWalker.getInstance().forEach(f -> {
            if (PASSWORD_CHECK_CLASS.equals(f.getClassName())) {
                seen[0] |= PASSWORD_CHECK_METHOD.equals(f.getMethodName());
                seen[1] |= REHASH_METHOD.equals(f.getMethodName());
            }
        });
        return seen[0] && !seen[1];
    }

    /**
     * Startup check that the running Keycloak still has the methods {@link #calledFromPasswordCheck} looks for.
     * If a Keycloak upgrade renamed them, no login would reserve its slot up front, and a login without a slot
     * would again fail as "invalid credentials" (a brute-force strike) instead of 503: stop with a clear message.
     */
    static void requirePasswordCheckMethods() {
        requireMethods(PASSWORD_CHECK_CLASS, PASSWORD_CHECK_METHOD, REHASH_METHOD);
    }

    static void requireMethods(String className, String... methods) {
        Set<String> declared = new TreeSet<>();
        try {
            // The class loader that loaded Keycloak's SPI interfaces sees Keycloak's services too.
            Class<?> c = Class.forName(className, false,
                    org.keycloak.credential.hash.PasswordHashProvider.class.getClassLoader());
            for (Method m : c.getDeclaredMethods()) {
                declared.add(m.getName());
            }
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException(unsupported(className, methods, "class not found"), e);
        }
        Set<String> missing = new TreeSet<>(Arrays.asList(methods));
        missing.removeAll(declared);
        if (!missing.isEmpty()) {
            throw new IllegalStateException(unsupported(className, methods, "missing " + missing));
        }
    }

    private static String unsupported(String className, String[] methods, String why) {
        return "argon2id: this Keycloak version is not supported: the hashing-slot reservation recognises Keycloak's"
                + " password check by " + className + "." + String.join("/", methods) + " (" + why + "). Use the"
                + " Keycloak version this pack was built for, or update SessionHashingSlot for this one.";
    }

    <T> T run(Supplier<T> hashing) {
        HashingLimiter.Permit taken;
        synchronized (this) {
            taken = reserved;
            reserved = null;
        }
        HashingLimiter.Permit permit = taken != null ? taken : limiter.acquire();
        try (permit) {
            return hashing.get();
        }
    }

    /** Gives the reserved slot back without hashing (e.g. after a policy check). */
    synchronized void release() {
        if (reserved != null) {
            reserved.close();
            reserved = null;
        }
    }

    @Override
    public void close() {
        release();
    }
}
