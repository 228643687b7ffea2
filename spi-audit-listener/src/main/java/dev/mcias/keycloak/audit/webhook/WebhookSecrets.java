package dev.mcias.keycloak.audit.webhook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The signing secrets, from the file named by {@code webhook-secret-file}: lines {@code <realm name>:whsec_<base64>}
 * or {@code *:whsec_<base64>} (every realm without a line of its own), {@code #} comments. Several lines for one
 * realm sign with each (rotation). Re-read when the file changes, so a rotation needs no restart. The values never
 * appear in a message, log line or database row.
 */
public final class WebhookSecrets {

    static final String ANY_REALM = "*";

    private final Path file;
    private volatile Map<String, List<byte[]>> byRealm = Map.of();
    private volatile FileTime loadedFrom;
    /** When the file's time was last looked at: at most once a second, not on every audit append. */
    private volatile long checkedAt;

    private WebhookSecrets(Path file) {
        this.file = file;
    }

    /** No file: no realm has a secret, so no webhook is delivered. */
    public static WebhookSecrets none() {
        return new WebhookSecrets(null);
    }

    /** Reads the file now; a broken file stops startup with a message naming the line (never its value). */
    public static WebhookSecrets fromFile(Path file) {
        WebhookSecrets s = new WebhookSecrets(file);
        s.reloadIfChanged(true);
        return s;
    }

    public boolean configured() {
        return file != null;
    }

    /** The keys to sign a realm's messages with (realm lines first, else the {@code *} lines); empty if none. */
    public List<byte[]> keys(String realmName) {
        if (file == null) {
            return List.of();
        }
        long now = System.currentTimeMillis();
        if (now - checkedAt >= 1000) {
            checkedAt = now;
            reloadIfChanged(false);
        }
        Map<String, List<byte[]>> m = byRealm;
        List<byte[]> own = m.get(realmName);
        return own != null ? own : m.getOrDefault(ANY_REALM, List.of());
    }

    private synchronized void reloadIfChanged(boolean strict) {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (modified.equals(loadedFrom)) {
                return;
            }
            byRealm = parse(Files.readAllLines(file, StandardCharsets.UTF_8));
            loadedFrom = modified;
        } catch (IOException | IllegalArgumentException e) {
            if (strict) {
                throw new IllegalArgumentException("audit webhooks: cannot use webhook-secret-file " + file + ": "
                        + (e instanceof IOException ? "cannot read it" : e.getMessage()));
            }
            // A broken edit of a running server's file: keep the keys loaded before (logged by the caller's failure).
        }
    }

    static Map<String, List<byte[]>> parse(List<String> lines) {
        Map<String, List<byte[]>> out = new LinkedHashMap<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("line " + n + ": expected <realm>:whsec_<base64>");
            }
            String realm = line.substring(0, colon).strip();
            byte[] key;
            try {
                key = WebhookSigner.decodeSecret(line.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + n + ": " + e.getMessage());
            }
            out.computeIfAbsent(realm, r -> new ArrayList<>()).add(key);
        }
        out.replaceAll((k, v) -> List.copyOf(v));
        return Map.copyOf(out);
    }
}
