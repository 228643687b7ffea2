package dev.mcias.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecureFilesTest {

    @TempDir
    Path tmp;

    @Test
    void atomicWriteCreatesA0600FileAndLeavesNoTemporaryFile() throws Exception {
        Path target = tmp.resolve("token");
        SecureFiles.writeAtomically(target, "first\n");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals("first", SecureFiles.readPrivate(target));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void atomicWriteReplacesAnExistingFileAndFixesItsMode() throws Exception {
        Path target = tmp.resolve("token");
        Files.writeString(target, "old");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        Object inodeBefore = Files.getAttribute(target, "unix:ino");
        SecureFiles.writeAtomically(target, "new");
        assertEquals("new", Files.readString(target));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        // A rename, not a rewrite in place: a reader holding the old file never sees a half-written one.
        assertFalse(inodeBefore.equals(Files.getAttribute(target, "unix:ino")));
    }

    @Test
    void groupOrWorldAccessIsRefused() throws Exception {
        Path f = tmp.resolve("secret");
        Files.writeString(f, "x");
        for (String mode : new String[] {"rw-r-----", "rw----r--", "rw--w----", "rw-----w-"}) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
            var e = assertThrows(SecureFiles.InsecureFileException.class, () -> SecureFiles.readPrivate(f), mode);
            assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        }
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
        assertEquals("x", SecureFiles.readPrivate(f));
    }

    @Test
    void privateDirectoryIsCreated0700AndAnOpenOneRefused() throws Exception {
        Path dir = tmp.resolve("a/mciasctl");
        SecureFiles.ensurePrivateDirectory(dir);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThrows(SecureFiles.InsecureFileException.class, () -> SecureFiles.ensurePrivateDirectory(dir));
    }

    @Test
    void sessionStoreRoundTripsAndRefusesAReadableFile() throws Exception {
        SessionStore store = SessionStore.fromEnvironment(Map.of("XDG_CONFIG_HOME", tmp.toString()));
        assertEquals(tmp.resolve("mciasctl"), store.directory());
        Session s = new Session("http://127.0.0.1:8080", "mcias", "mciasctl", "root", "r-token", "a-token", 42);
        store.save("work", s);
        assertEquals(s, store.load("work"));
        assertFalse(s.toString().contains("token"), s.toString());
        assertEquals(null, store.load("other"));
        Files.setPosixFilePermissions(store.file("work"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThrows(SecureFiles.InsecureFileException.class, () -> store.load("work"));
        assertThrows(IllegalArgumentException.class, () -> store.file("../etc"));
        assertTrue(store.delete("work"));
    }

    @Test
    void sessionDirectoryDefaultsToHomeConfig() {
        SessionStore store = SessionStore.fromEnvironment(Map.of("HOME", "/home/u"));
        assertEquals(Path.of("/home/u/.config/mciasctl"), store.directory());
        // A relative XDG_CONFIG_HOME is invalid per the XDG spec and ignored.
        assertEquals(Path.of("/home/u/.config/mciasctl"),
                SessionStore.fromEnvironment(Map.of("HOME", "/home/u", "XDG_CONFIG_HOME", "rel")).directory());
    }
}
