package dev.mcias.keycloak.argon2;

/**
 * Cost and shape of one Argon2 computation. {@link #checkConfigured()} guards what operators may configure;
 * {@link #checkStored(long, long)} guards what a stored or imported hash may ask for (memory, and memory x passes), so
 * hostile values cannot allocate unbounded memory or burn CPU for minutes.
 */
public record Argon2Parameters(Type type, int version, int memoryKiB, int iterations, int parallelism,
                               int hashLength) {

    public enum Type {
        D(0, "argon2d"), I(1, "argon2i"), ID(2, "argon2id");

        final int nativeId;
        final String phcName;

        Type(int nativeId, String phcName) {
            this.nativeId = nativeId;
            this.phcName = phcName;
        }

        public String phcName() {
            return phcName;
        }

        public static Type fromPhcName(String name) {
            for (Type t : values()) {
                if (t.phcName.equals(name)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown Argon2 variant");
        }
    }

    public static final int VERSION_10 = 0x10;
    public static final int VERSION_13 = 0x13;

    /** OWASP Password Storage Cheat Sheet, first Argon2id option. */
    public static final Argon2Parameters OWASP = new Argon2Parameters(Type.ID, VERSION_13, 19456, 2, 1, 32);

    public static final int MIN_CONFIGURED_MEMORY_KIB = 8 * 1024;
    public static final int MAX_MEMORY_KIB = 4 * 1024 * 1024;
    public static final int MAX_ITERATIONS = 64;
    public static final int MAX_PARALLELISM = 64;
    /** Ceiling for stored hashes unless the configured memory is higher. */
    public static final long DEFAULT_MAX_STORED_MEMORY_KIB = 1024 * 1024;

    /** Startup check of configured values: unsafe or absurd settings stop Keycloak with a clear message. */
    public Argon2Parameters checkConfigured() {
        if (type != Type.ID) {
            throw new IllegalArgumentException("argon2id: only the Argon2id variant may be configured");
        }
        require(memoryKiB >= MIN_CONFIGURED_MEMORY_KIB, "memory must be at least " + MIN_CONFIGURED_MEMORY_KIB
                + " KiB (8 MiB), got " + memoryKiB);
        require(memoryKiB <= MAX_MEMORY_KIB, "memory must be at most " + MAX_MEMORY_KIB + " KiB, got " + memoryKiB);
        require(iterations >= 1 && iterations <= MAX_ITERATIONS,
                "iterations must be between 1 and " + MAX_ITERATIONS + ", got " + iterations);
        require(parallelism >= 1 && parallelism <= MAX_PARALLELISM,
                "parallelism must be between 1 and " + MAX_PARALLELISM + ", got " + parallelism);
        require(memoryKiB >= 8L * parallelism, "memory must be at least 8 KiB per lane");
        require(hashLength >= 16 && hashLength <= 128, "hash-length must be between 16 and 128 bytes, got " + hashLength);
        return this;
    }

    /** Work of one hash in KiB-passes: time and memory both grow with it (memory alone is at most this). */
    public long cost() {
        return (long) memoryKiB * iterations;
    }

    /**
     * Whether a stored hash's parameters are sane enough to compute: memory at most {@code maxMemoryKiB} and
     * memory x passes at most {@code maxCost}. Bounding each value separately is not enough: m = 1 GiB with t = 64
     * passes both and costs minutes per login.
     */
    public boolean checkStored(long maxMemoryKiB, long maxCost) {
        return (version == VERSION_10 || version == VERSION_13)
                && parallelism >= 1 && parallelism <= MAX_PARALLELISM
                && memoryKiB >= 8L * parallelism && memoryKiB <= maxMemoryKiB
                && iterations >= 1 && iterations <= MAX_ITERATIONS
                && cost() <= maxCost
                && hashLength >= 4 && hashLength <= 1024;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("argon2id: " + message);
        }
    }
}
