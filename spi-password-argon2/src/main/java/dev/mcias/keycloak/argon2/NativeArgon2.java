package dev.mcias.keycloak.argon2;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import org.jboss.logging.Logger;

/**
 * JNA binding to {@code argon2_hash} of a libargon2 bundled in this JAR: the portable build from argon2-jvm,
 * or on AVX2 CPUs our AVX2 build of the same reference code ({@code -Dmcias.argon2.portable=true} forces the
 * portable one). The library is extracted and loaded by absolute path, so a system {@code libargon2} is never
 * used.
 */
public final class NativeArgon2 {

    private static final Logger LOG = Logger.getLogger(NativeArgon2.class);
    private static final int ARGON2_OK = 0;
    private static String variant;
    private static final Path LIBRARY = load();

    private NativeArgon2() {
    }

    private static native int argon2_hash(int tCost, int mCost, int parallelism, Pointer pwd, long pwdLen,
                                          byte[] salt, long saltLen, byte[] hash, long hashLen,
                                          Pointer encoded, long encodedLen, int type, int version);

    private static native String argon2_error_message(int code);

    private static Path load() {
        if (!Platform.is64Bit()) {
            throw new IllegalStateException("argon2id needs a 64-bit JVM");
        }
        String name = Platform.isWindows() ? "argon2.dll" : Platform.isMac() ? "libargon2.dylib" : "libargon2.so";
        String portable = "native/" + Platform.RESOURCE_PREFIX + "/" + name;
        String avx2 = "native/" + Platform.RESOURCE_PREFIX + "-avx2/" + name;
        boolean useAvx2 = !Boolean.getBoolean("mcias.argon2.portable") && Platform.isLinux() && cpuHasAvx2()
                && NativeArgon2.class.getResource(avx2) != null;
        String resource = useAvx2 ? avx2 : portable;
        try (InputStream in = NativeArgon2.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no bundled libargon2 for " + Platform.RESOURCE_PREFIX);
            }
            Path file = Files.createTempFile("mcias-argon2-", "-" + name);
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            Native.register(NativeArgon2.class, NativeLibrary.getInstance(file.toAbsolutePath().toString()));
            LOG.infof("Loaded bundled libargon2 (%s, %s) from %s", Platform.RESOURCE_PREFIX,
                    useAvx2 ? "AVX2 build" : "portable build", file);
            variant = useAvx2 ? "avx2" : "portable";
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract bundled libargon2", e);
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

    /** {@code avx2} or {@code portable}. */
    public static String variant() {
        return variant;
    }

    /** Absolute path of the loaded library file. */
    public static Path libraryPath() {
        return LIBRARY;
    }

    /**
     * Raw Argon2 hash. The password is copied into native memory that is zeroed after the call; the caller
     * zeroes its own array.
     */
    public static byte[] hash(Argon2Parameters p, byte[] password, byte[] salt) {
        byte[] out = new byte[p.hashLength()];
        Memory pwd = new Memory(Math.max(1, password.length));
        try {
            pwd.write(0, password, 0, password.length);
            int rc = argon2_hash(p.iterations(), p.memoryKiB(), p.parallelism(), pwd, password.length,
                    salt, salt.length, out, out.length, Pointer.NULL, 0, p.type().nativeId, p.version());
            if (rc != ARGON2_OK) {
                throw new IllegalArgumentException("argon2_hash failed: " + argon2_error_message(rc));
            }
            return out;
        } finally {
            pwd.clear();
        }
    }
}
