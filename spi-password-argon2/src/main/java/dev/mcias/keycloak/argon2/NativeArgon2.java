package dev.mcias.keycloak.argon2;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import org.jboss.logging.Logger;

/**
 * JNA binding to {@code argon2_hash} of a libargon2 bundled in this JAR: on AVX2 CPUs our AVX2 build of the reference
 * code, else (or if that build cannot be loaded or fails its self-test) the portable build from argon2-jvm
 * ({@code -Dmcias.argon2.portable=true} forces the portable one). The library is extracted and loaded by absolute
 * path, so a system {@code libargon2} is never used.
 *
 * <p>Every candidate must load and reproduce a known answer before it is used. The AVX2 build is linked against the
 * build host's C library (glibc 2.34 or later when built on Debian 12), so on an older system it fails to load; that,
 * or anything else wrong with it, falls back to the portable build instead of stopping Keycloak.
 */
public final class NativeArgon2 {

    private static final Logger LOG = Logger.getLogger(NativeArgon2.class);
    private static final int ARGON2_OK = 0;

    /**
     * Test hook: a resource (relative to this class) tried first instead of the AVX2 build, on any CPU. Lets a test
     * hand the loader a broken library and watch it fall back.
     */
    static final String FIRST_CANDIDATE_PROPERTY = "mcias.argon2.first-candidate";

    /** The functions we call, bound per loaded library file (interface mapping, so a failed candidate binds nothing). */
    interface Argon2Library extends Library {
        int argon2_hash(int tCost, int mCost, int parallelism, Pointer pwd, long pwdLen, byte[] salt, long saltLen,
                        byte[] hash, long hashLen, Pointer encoded, long encodedLen, int type, int version);

        String argon2_error_message(int code);
    }

    /** A library that loaded and passed the self-test. */
    record Loaded(String variant, Path path, Argon2Library library, List<String> rejected) {
    }

    /** One bundled build to try. */
    record Candidate(String variant, String resource) {
    }

    /** Opens a candidate (extract + load); may throw anything a broken file or missing symbol throws. */
    interface Opener {
        Loaded open(Candidate candidate) throws Exception;
    }

    private static final Loaded LOADED = load();

    private NativeArgon2() {
    }

    private static Loaded load() {
        if (!Platform.is64Bit()) {
            throw new IllegalStateException("argon2id needs a 64-bit JVM");
        }
        String name = Platform.isWindows() ? "argon2.dll" : Platform.isMac() ? "libargon2.dylib" : "libargon2.so";
        String portable = "native/" + Platform.RESOURCE_PREFIX + "/" + name;
        String avx2 = "native/" + Platform.RESOURCE_PREFIX + "-avx2/" + name;
        List<Candidate> candidates = new ArrayList<>();
        String forcedFirst = System.getProperty(FIRST_CANDIDATE_PROPERTY);
        if (forcedFirst != null) {
            candidates.add(new Candidate("test", forcedFirst));
        } else if (!Boolean.getBoolean("mcias.argon2.portable") && Platform.isLinux() && cpuHasAvx2()
                && NativeArgon2.class.getResource(avx2) != null) {
            candidates.add(new Candidate("avx2", avx2));
        }
        candidates.add(new Candidate("portable", portable));
        return select(candidates, NativeArgon2::extractAndLoad, NativeArgon2::knownAnswer);
    }

    /**
     * The first candidate that opens and passes {@code selfTest}; a failure of either is logged and the next one
     * tried.
     *
     * @throws IllegalStateException if none works, with every candidate's reason
     */
    static Loaded select(List<Candidate> candidates, Opener opener, Predicate<Argon2Library> selfTest) {
        List<String> rejected = new ArrayList<>();
        for (Candidate c : candidates) {
            try {
                Loaded l = opener.open(c);
                if (!selfTest.test(l.library())) {
                    rejected.add(c.variant() + ": wrong known-answer hash");
                    LOG.warnf("Bundled libargon2 (%s build) failed its known-answer self-test; not used", c.variant());
                    continue;
                }
                LOG.infof("Loaded bundled libargon2 (%s, %s build) from %s", Platform.RESOURCE_PREFIX, c.variant(),
                        l.path());
                return new Loaded(c.variant(), l.path(), l.library(), List.copyOf(rejected));
            } catch (Exception | LinkageError e) {
                // UnsatisfiedLinkError (e.g. "GLIBC_2.34 not found"), a missing symbol, an unreadable resource, ...
                rejected.add(c.variant() + ": " + e);
                LOG.warnf("Bundled libargon2 (%s build) cannot be used, trying the next one: %s", c.variant(), e);
            }
        }
        throw new IllegalStateException("argon2id: no bundled libargon2 works on " + Platform.RESOURCE_PREFIX + ": "
                + rejected);
    }

    private static Loaded extractAndLoad(Candidate c) throws IOException {
        try (InputStream in = NativeArgon2.class.getResourceAsStream(c.resource())) {
            if (in == null) {
                throw new IOException("no bundled " + c.resource());
            }
            String name = c.resource().substring(c.resource().lastIndexOf('/') + 1);
            Path file = Files.createTempFile("mcias-argon2-", "-" + name);
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            // Absolute path: JNA loads exactly this file and never searches the system's library paths.
            return new Loaded(c.variant(), file, Native.load(file.toAbsolutePath().toString(), Argon2Library.class),
                    List.of());
        }
    }

    /** Reference test vectors (src/test.c of the reference code, version 0x13, m=256 KiB): cheap, and both variants. */
    static boolean knownAnswer(Argon2Library lib) {
        return HexFormat.of().formatHex(hash(lib, new Argon2Parameters(Argon2Parameters.Type.ID,
                        Argon2Parameters.VERSION_13, 256, 2, 1, 32), ascii("password"), ascii("somesalt")))
                .equals("9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe")
                && HexFormat.of().formatHex(hash(lib, new Argon2Parameters(Argon2Parameters.Type.ID,
                        Argon2Parameters.VERSION_13, 256, 2, 2, 32), ascii("password"), ascii("somesalt")))
                .equals("6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code avx2} or {@code portable} (or {@code test} under the test hook). */
    public static String variant() {
        return LOADED.variant();
    }

    /** Absolute path of the loaded library file. */
    public static Path libraryPath() {
        return LOADED.path();
    }

    /** Why builds tried before the loaded one were not used (empty when the first one worked). */
    static List<String> rejected() {
        return LOADED.rejected();
    }

    /**
     * Raw Argon2 hash. The password is copied into native memory that is zeroed after the call; the caller
     * zeroes its own array.
     */
    public static byte[] hash(Argon2Parameters p, byte[] password, byte[] salt) {
        return hash(LOADED.library(), p, password, salt);
    }

    private static byte[] hash(Argon2Library lib, Argon2Parameters p, byte[] password, byte[] salt) {
        byte[] out = new byte[p.hashLength()];
        Memory pwd = new Memory(Math.max(1, password.length));
        try {
            pwd.write(0, password, 0, password.length);
            int rc = lib.argon2_hash(p.iterations(), p.memoryKiB(), p.parallelism(), pwd, password.length,
                    salt, salt.length, out, out.length, Pointer.NULL, 0, p.type().nativeId, p.version());
            if (rc != ARGON2_OK) {
                throw new IllegalArgumentException("argon2_hash failed: " + lib.argon2_error_message(rc));
            }
            return out;
        } finally {
            pwd.clear();
        }
    }

    private static boolean cpuHasAvx2() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .anyMatch(l -> l.startsWith("flags") && (" " + l + " ").contains(" avx2 "));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
