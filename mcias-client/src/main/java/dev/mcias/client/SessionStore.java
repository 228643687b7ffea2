package dev.mcias.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Sessions under {@code $XDG_CONFIG_HOME/mciasctl/} (default {@code ~/.config/mciasctl/}), one file per profile,
 * {@code <profile>.json}, mode 0600 in a 0700 directory; a file or directory other users can access is refused.
 */
public final class SessionStore {

    private static final Pattern PROFILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    private final Path dir;

    public SessionStore(Path dir) {
        this.dir = dir;
    }

    /** The directory from the environment: {@code $XDG_CONFIG_HOME/mciasctl}, else {@code $HOME/.config/mciasctl}. */
    public static SessionStore fromEnvironment(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        return new SessionStore(base.resolve("mciasctl"));
    }

    public Path directory() {
        return dir;
    }

    public static boolean validProfile(String profile) {
        return profile != null && PROFILE.matcher(profile).matches();
    }

    public Path file(String profile) {
        if (!validProfile(profile)) {
            throw new IllegalArgumentException("invalid profile name '" + profile + "' (letters, digits, '-', '_')");
        }
        return dir.resolve(profile + ".json");
    }

    /** The lock file that serializes refreshes of one profile across processes. */
    public Path lockFile(String profile) {
        file(profile);
        return dir.resolve(profile + ".lock");
    }

    /** The stored session, or null when there is none; throws for a file other users can read. */
    public Session load(String profile) throws IOException {
        Path f = file(profile);
        if (!Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        SecureFiles.requirePrivate(dir);
        String text = SecureFiles.readPrivate(f);
        return Json.MAPPER.readValue(text, Session.class);
    }

    public void save(String profile, Session session) throws IOException {
        SecureFiles.ensurePrivateDirectory(dir);
        SecureFiles.writeAtomically(file(profile), Json.write(session) + "\n");
    }

    public boolean delete(String profile) throws IOException {
        Files.deleteIfExists(lockFile(profile));
        return Files.deleteIfExists(file(profile));
    }
}
