package dev.mcias.keycloak.argon2;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * A password hash exported from another system, parsed strictly. Parsing rejects malformed strings and
 * parameters that would cost unbounded memory or time; {@link #matches} compares in constant time.
 * Messages never contain the hash or the password.
 */
public abstract sealed class LegacyHash
        permits LegacyHash.Argon2Phc, LegacyHash.Bcrypt, LegacyHash.Scrypt, LegacyHash.Pbkdf2Sha256 {

    // Absolute ceilings, whatever max-cost-factor says; StoredHashLimits bounds the work below them.
    /** bcrypt cost 16 = 65,536 rounds, a few seconds; real systems use 10-14. */
    static final int MAX_BCRYPT_COST = 16;
    /** scrypt memory 128 * r * N bytes. */
    static final long MAX_SCRYPT_MEMORY_BYTES = 256L * 1024 * 1024;
    static final int MAX_PBKDF2_ITERATIONS = 10_000_000;
    static final int MAX_ENCODED_LENGTH = 1024;

    private static final Pattern BCRYPT = Pattern.compile("\\$(2[aby])\\$(\\d\\d)\\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})");

    public abstract String scheme();

    /** Whether {@code password} (UTF-8 bytes) produces this hash. */
    public abstract boolean matches(byte[] password);

    /**
     * Parses {@code encoded}; its work must stay within {@code limits}.
     *
     * @throws IllegalArgumentException for anything malformed, unsupported or too costly
     */
    public static LegacyHash parse(String encoded, StoredHashLimits limits) {
        if (encoded == null || encoded.isEmpty() || encoded.length() > MAX_ENCODED_LENGTH) {
            throw new IllegalArgumentException("empty or oversized hash");
        }
        if (encoded.startsWith("$argon2")) {
            return Argon2Phc.of(encoded, limits);
        }
        if (encoded.startsWith("$2")) {
            return Bcrypt.of(encoded, limits);
        }
        if (encoded.startsWith("$scrypt$")) {
            return Scrypt.of(encoded, limits);
        }
        if (encoded.startsWith("$pbkdf2-sha256$") || encoded.startsWith("pbkdf2_sha256$")) {
            return Pbkdf2Sha256.of(encoded, limits);
        }
        throw new IllegalArgumentException("unrecognised hash format");
    }

    /** {@code k=v,k=v} with integer values and no duplicate keys. */
    static Map<String, Integer> intParams(String s) {
        Map<String, Integer> out = new HashMap<>();
        for (String kv : s.split(",", -1)) {
            int eq = kv.indexOf('=');
            if (eq <= 0 || eq == kv.length() - 1) {
                throw new IllegalArgumentException("malformed parameters");
            }
            String v = kv.substring(eq + 1);
            if (v.length() > 10 || !v.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("malformed parameter value");
            }
            long n = Long.parseLong(v);
            if (n > Integer.MAX_VALUE || out.put(kv.substring(0, eq), (int) n) != null) {
                throw new IllegalArgumentException("malformed parameters");
            }
        }
        return out;
    }

    static int require(Map<String, Integer> params, String key) {
        Integer v = params.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing parameter " + key);
        }
        return v;
    }

    /** Standard or "adapted" ({@code .} for {@code +}) base64, padding optional. */
    static byte[] b64(String s) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty base64 field");
        }
        try {
            return Base64.getDecoder().decode(stripPadding(s.replace('.', '+')));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed base64 field");
        }
    }

    private static String stripPadding(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        return s.substring(0, end);
    }

    static boolean constantTimeEquals(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /** PHC string: {@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}; {@code v=} absent means 0x10. */
    static final class Argon2Phc extends LegacyHash {
        final Argon2Parameters params;
        final byte[] salt;
        final byte[] hash;

        private Argon2Phc(Argon2Parameters params, byte[] salt, byte[] hash) {
            this.params = params;
            this.salt = salt;
            this.hash = hash;
        }

        static Argon2Phc of(String encoded, StoredHashLimits limits) {
            String[] f = encoded.split("\\$", -1);
            if (f.length != 5 && f.length != 6) {
                throw new IllegalArgumentException("malformed PHC string");
            }
            Argon2Parameters.Type type = Argon2Parameters.Type.fromPhcName(f[1]);
            int i = 2;
            int version = Argon2Parameters.VERSION_10;
            if (f.length == 6) {
                version = require(intParams(f[i++]), "v");
            }
            Map<String, Integer> p = intParams(f[i++]);
            if (p.size() != 3) {
                throw new IllegalArgumentException("unexpected Argon2 parameters");
            }
            byte[] salt = b64(f[i++]);
            byte[] hash = b64(f[i]);
            Argon2Parameters params = new Argon2Parameters(type, version, require(p, "m"), require(p, "t"),
                    require(p, "p"), hash.length);
            if (salt.length < 8 || salt.length > 1024
                    || !params.checkStored(limits.maxArgon2MemoryKiB(), limits.maxArgon2Cost())) {
                throw new IllegalArgumentException("Argon2 parameters out of range");
            }
            return new Argon2Phc(params, salt, hash);
        }

        @Override
        public String scheme() {
            return params.type().phcName();
        }

        @Override
        public boolean matches(byte[] password) {
            byte[] computed = NativeArgon2.hash(params, password, salt);
            try {
                return constantTimeEquals(computed, hash);
            } finally {
                Arrays.fill(computed, (byte) 0);
            }
        }
    }

    /** OpenBSD bcrypt {@code $2a$}, {@code $2b$}, {@code $2y$}. */
    static final class Bcrypt extends LegacyHash {
        private static final String ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        final String version;
        final int cost;
        final byte[] salt;
        final String encoded;

        private Bcrypt(String version, int cost, byte[] salt, String encoded) {
            this.version = version;
            this.cost = cost;
            this.salt = salt;
            this.encoded = encoded;
        }

        static Bcrypt of(String encoded, StoredHashLimits limits) {
            Matcher m = BCRYPT.matcher(encoded);
            if (!m.matches()) {
                throw new IllegalArgumentException("malformed bcrypt string");
            }
            int cost = Integer.parseInt(m.group(2));
            if (cost < 4 || cost > MAX_BCRYPT_COST || cost > limits.maxBcryptCost()) {
                throw new IllegalArgumentException("bcrypt cost out of range");
            }
            return new Bcrypt(m.group(1), cost, radix64(m.group(3), 16), encoded);
        }

        /** bcrypt's own base64 (alphabet {@code ./A-Za-z0-9}, no padding). */
        static byte[] radix64(String s, int length) {
            byte[] out = new byte[length];
            int bits = 0;
            int acc = 0;
            int n = 0;
            for (int i = 0; i < s.length() && n < length; i++) {
                acc = (acc << 6) | ALPHABET.indexOf(s.charAt(i));
                bits += 6;
                if (bits >= 8) {
                    bits -= 8;
                    out[n++] = (byte) (acc >> bits);
                }
            }
            return out;
        }

        @Override
        public String scheme() {
            return "bcrypt";
        }

        @Override
        public boolean matches(byte[] password) {
            // bcrypt only ever reads the first 72 bytes; other implementations truncate the same way.
            byte[] pw = password.length > 72 ? Arrays.copyOf(password, 72) : password;
            try {
                String computed = OpenBSDBCrypt.generate(version, pw, salt, cost);
                return constantTimeEquals(computed.getBytes(StandardCharsets.US_ASCII),
                        encoded.getBytes(StandardCharsets.US_ASCII));
            } finally {
                if (pw != password) {
                    Arrays.fill(pw, (byte) 0);
                }
            }
        }
    }

    /** passlib's scrypt format: {@code $scrypt$ln=..,r=..,p=..$salt$hash}. */
    static final class Scrypt extends LegacyHash {
        final int n;
        final int r;
        final int p;
        final byte[] salt;
        final byte[] hash;

        private Scrypt(int n, int r, int p, byte[] salt, byte[] hash) {
            this.n = n;
            this.r = r;
            this.p = p;
            this.salt = salt;
            this.hash = hash;
        }

        static Scrypt of(String encoded, StoredHashLimits limits) {
            String[] f = encoded.split("\\$", -1);
            if (f.length != 5 || !f[0].isEmpty()) {
                throw new IllegalArgumentException("malformed scrypt string");
            }
            Map<String, Integer> params = intParams(f[2]);
            if (params.size() != 3) {
                throw new IllegalArgumentException("unexpected scrypt parameters");
            }
            int ln = require(params, "ln");
            int r = require(params, "r");
            int p = require(params, "p");
            if (ln < 1 || ln > 24 || r < 1 || r > 32 || p < 1 || p > 16
                    || 128L * r * (1L << ln) > MAX_SCRYPT_MEMORY_BYTES
                    || (long) p * r * (1L << ln) > (1L << 24)
                    || (long) p * r * (1L << ln) > limits.maxScryptWork()) {
                throw new IllegalArgumentException("scrypt parameters out of range");
            }
            byte[] salt = b64(f[3]);
            byte[] hash = b64(f[4]);
            if (hash.length < 16 || hash.length > 128 || salt.length > 1024) {
                throw new IllegalArgumentException("scrypt lengths out of range");
            }
            return new Scrypt(1 << ln, r, p, salt, hash);
        }

        @Override
        public String scheme() {
            return "scrypt";
        }

        @Override
        public boolean matches(byte[] password) {
            byte[] computed = SCrypt.generate(password, salt, n, r, p, hash.length);
            try {
                return constantTimeEquals(computed, hash);
            } finally {
                Arrays.fill(computed, (byte) 0);
            }
        }
    }

    /**
     * PBKDF2-HMAC-SHA256 as passlib ({@code $pbkdf2-sha256$rounds$salt$hash}, adapted base64 salt) or
     * Django ({@code pbkdf2_sha256$iterations$salt$hash}, salt used as text) write it.
     */
    static final class Pbkdf2Sha256 extends LegacyHash {
        final int iterations;
        final byte[] salt;
        final byte[] hash;

        private Pbkdf2Sha256(int iterations, byte[] salt, byte[] hash) {
            this.iterations = iterations;
            this.salt = salt;
            this.hash = hash;
        }

        static Pbkdf2Sha256 of(String encoded, StoredHashLimits limits) {
            boolean django = encoded.startsWith("pbkdf2_sha256$");
            String[] f = encoded.split("\\$", -1);
            int first = django ? 1 : 2;
            if (f.length != first + 3 || (!django && !f[0].isEmpty())) {
                throw new IllegalArgumentException("malformed PBKDF2 string");
            }
            String rounds = f[first];
            if (rounds.isEmpty() || rounds.length() > 9 || !rounds.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("malformed PBKDF2 iterations");
            }
            int iterations = Integer.parseInt(rounds);
            if (iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS || iterations > limits.maxPbkdf2Iterations()) {
                throw new IllegalArgumentException("PBKDF2 iterations out of range");
            }
            String saltField = f[first + 1];
            if (saltField.isEmpty() || saltField.length() > 1024) {
                throw new IllegalArgumentException("PBKDF2 salt out of range");
            }
            byte[] salt = django ? saltField.getBytes(StandardCharsets.UTF_8) : b64(saltField);
            byte[] hash = b64(f[first + 2]);
            if (hash.length < 16 || hash.length > 128) {
                throw new IllegalArgumentException("PBKDF2 hash length out of range");
            }
            return new Pbkdf2Sha256(iterations, salt, hash);
        }

        @Override
        public String scheme() {
            return "pbkdf2-sha256";
        }

        @Override
        public boolean matches(byte[] password) {
            PKCS5S2ParametersGenerator gen = new PKCS5S2ParametersGenerator(new SHA256Digest());
            gen.init(password, salt, iterations);
            byte[] computed = ((KeyParameter) gen.generateDerivedMacParameters(hash.length * 8)).getKey();
            try {
                return constantTimeEquals(computed, hash);
            } finally {
                Arrays.fill(computed, (byte) 0);
            }
        }
    }
}
