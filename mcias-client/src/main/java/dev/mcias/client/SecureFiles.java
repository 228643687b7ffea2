package dev.mcias.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Files holding secrets (sessions, system-account tokens): created 0600 in 0700 directories, replaced
 * atomically (a reader sees the old or the new content, never half of one), and refused when other users can
 * read them.
 */
public final class SecureFiles {

    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private static final FileAttribute<Set<PosixFilePermission>> FILE_0600 =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final FileAttribute<Set<PosixFilePermission>> DIR_0700 =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private SecureFiles() {
    }

    /** Thrown for a secret file that group or others may access; the message says how to fix it. */
    public static final class InsecureFileException extends IOException {
        private static final long serialVersionUID = 1L;

        public InsecureFileException(String message) {
            super(message);
        }
    }

    /** Refuses a file (or directory) that group or others may read, write or enter. */
    public static void requirePrivate(Path file) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        if (!java.util.Collections.disjoint(perms, OTHERS)) {
            throw new InsecureFileException(file + " is accessible to other users (mode "
                    + PosixFilePermissions.toString(perms) + "); run: chmod " + (Files.isDirectory(file) ? "700 " : "600 ")
                    + file);
        }
    }

    /** Reads a secret file after checking it is private; the content without a trailing newline. */
    public static String readPrivate(Path file) throws IOException {
        requirePrivate(file);
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    /** Creates the directory (and missing parents of it) with mode 0700; an existing one must be private. */
    public static void ensurePrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            requirePrivate(dir);
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createDirectory(dir, DIR_0700);
        } catch (FileAlreadyExistsException e) {
            requirePrivate(dir);
        }
        // createDirectory applies the umask: set the mode explicitly.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    /**
     * Writes {@code content} to {@code target} atomically with mode 0600: a new file beside it (created 0600, so
     * the secret is never readable by others, not even briefly), flushed to disk, then renamed over the target.
     */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", FILE_0600);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                var buf = java.nio.ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void writeAtomically(Path target, String content) throws IOException {
        writeAtomically(target, content.getBytes(StandardCharsets.UTF_8));
    }
}
