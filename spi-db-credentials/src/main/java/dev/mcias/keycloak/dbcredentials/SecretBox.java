package dev.mcias.keycloak.dbcredentials;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with keys from a key file outside the database. Key file: one key per line, {@code <id>:<base64 of
 * 32 bytes>}; the first line is the current key (encrypts), the others only decrypt (kept while rotating away
 * from them). The associated data binds a ciphertext to its key id and to the row it belongs to, so ciphertexts
 * cannot be swapped between accounts.
 */
public final class SecretBox {

    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final String currentKeyId;
    private final Map<String, SecretKeySpec> keys;

    private SecretBox(String currentKeyId, Map<String, SecretKeySpec> keys) {
        this.currentKeyId = currentKeyId;
        this.keys = keys;
    }

    /** Parses a key file; problems are reported without any key material. */
    public static SecretBox load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException("db-credentials: cannot read key file " + file);
        }
        return parse(lines, file.toString());
    }

    static SecretBox parse(List<String> lines, String source) {
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        String current = null;
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String id = colon < 0 ? "" : line.substring(0, colon);
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalStateException("db-credentials: key file " + source + " line " + n
                        + ": expected <key id>:<base64 key>");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(line.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("db-credentials: key file " + source + " line " + n + ": bad base64");
            }
            if (key.length != 32) {
                throw new IllegalStateException("db-credentials: key file " + source + " line " + n
                        + ": key must be 32 bytes (AES-256)");
            }
            if (keys.put(id, new SecretKeySpec(key, "AES")) != null) {
                throw new IllegalStateException("db-credentials: key file " + source + ": duplicate key id " + id);
            }
            if (current == null) {
                current = id;
            }
        }
        if (current == null) {
            throw new IllegalStateException("db-credentials: key file " + source + " holds no key");
        }
        return new SecretBox(current, keys);
    }

    public String currentKeyId() {
        return currentKeyId;
    }

    /** base64(nonce || ciphertext || tag) under the current key. */
    public String encrypt(String plaintext, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad(currentKeyId, context));
            byte[] ct = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[nonce.length + ct.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(ct, 0, out, nonce.length, ct.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("db-credentials: encryption failed");
        }
    }

    /** Decrypts, or throws {@link KeyUnavailableException} / {@link IllegalStateException} without detail. */
    public String decrypt(String keyId, String ciphertext, String context) {
        SecretKeySpec key = keys.get(keyId);
        if (key == null) {
            throw new KeyUnavailableException("db-credentials: key " + keyId + " is not in the key file");
        }
        try {
            byte[] in = Base64.getDecoder().decode(ciphertext);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            c.updateAAD(aad(keyId, context));
            return new String(c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new KeyUnavailableException("db-credentials: ciphertext does not decrypt with key " + keyId);
        }
    }

    private static byte[] aad(String keyId, String context) {
        return ("mcias-db-credentials/v1|" + keyId + "|" + context).getBytes(StandardCharsets.UTF_8);
    }

    /** The key needed for a stored secret is missing or wrong: fail loudly, change nothing. */
    public static final class KeyUnavailableException extends RuntimeException {
        public KeyUnavailableException(String message) {
            super(message);
        }
    }
}
