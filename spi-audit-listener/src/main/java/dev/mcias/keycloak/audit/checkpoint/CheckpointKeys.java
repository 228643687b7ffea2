package dev.mcias.keycloak.audit.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Ed25519 keys that sign checkpoints, read from the {@code checkpoint-key-file} (outside Keycloak's database):
 * lines {@code <key id>:<base64 of a PKCS#8 Ed25519 private key or of a raw 32-byte seed>}; the first key signs,
 * the others are older keys whose checkpoints still verify (rotation = a new first line). Blank lines and
 * {@code #} comments are ignored. No message of a failure contains key material.
 */
public final class CheckpointKeys {

    /** One key: id, its key pair. */
    public record Key(String id, PrivateKey privateKey, PublicKey publicKey) {
        /** The 32-byte public key (RFC 8032 encoding): the last 32 bytes of the X.509 SubjectPublicKeyInfo. */
        public byte[] raw() {
            byte[] spki = publicKey.getEncoded();
            return Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        }
    }

    private final Map<String, Key> keys;
    private final Key signing;

    private CheckpointKeys(List<Key> list) {
        Map<String, Key> m = new LinkedHashMap<>();
        for (Key k : list) {
            if (m.putIfAbsent(k.id(), k) != null) {
                throw new IllegalStateException("key id " + k.id() + " appears twice");
            }
        }
        this.keys = Collections.unmodifiableMap(m);
        this.signing = list.get(0);
    }

    public static CheckpointKeys fromFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("audit: cannot read checkpoint key file " + file);
        }
        List<Key> list = new ArrayList<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                list.add(parse(line));
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new IllegalStateException("audit: checkpoint key file " + file + ", line " + n + ": "
                        + e.getMessage());
            }
        }
        if (list.isEmpty()) {
            throw new IllegalStateException("audit: checkpoint key file " + file + " holds no key");
        }
        try {
            return new CheckpointKeys(list);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("audit: checkpoint key file " + file + ": " + e.getMessage());
        }
    }

    /** For tests: keys from lines as in the file. */
    static CheckpointKeys of(List<String> lines) {
        return new CheckpointKeys(lines.stream().map(CheckpointKeys::parse).toList());
    }

    private static Key parse(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("must be <id>:<base64 key>");
        }
        String id = line.substring(0, colon).trim();
        if (!id.matches("[A-Za-z0-9_.-]{1,32}")) {
            throw new IllegalArgumentException("key id must be 1-32 of [A-Za-z0-9_.-]");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(line.substring(colon + 1).trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key is not base64");
        }
        byte[] seed;
        if (bytes.length == 32) {
            seed = bytes;
        } else {
            try {
                PrivateKey pk = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(bytes));
                seed = ((EdECPrivateKey) pk).getBytes()
                        .orElseThrow(() -> new IllegalArgumentException("PKCS#8 key without its private bytes"));
            } catch (GeneralSecurityException | ClassCastException e) {
                throw new IllegalArgumentException("key is neither a 32-byte Ed25519 seed nor a PKCS#8 Ed25519 key");
            }
        }
        KeyPair pair = fromSeed(seed);
        return new Key(id, pair.getPrivate(), pair.getPublic());
    }

    /**
     * The key pair of an RFC 8032 private key (seed). The JDK has no public API deriving the public key from the
     * private one, but its generator takes the seed from the SecureRandom it is given.
     */
    static KeyPair fromSeed(byte[] seed) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
            g.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    if (bytes.length != seed.length) {
                        throw new IllegalStateException("unexpected seed length " + bytes.length);
                    }
                    System.arraycopy(seed, 0, bytes, 0, seed.length);
                }
            });
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Key signing() {
        return signing;
    }

    /** Every key, the signing one first. */
    public List<Key> all() {
        return List.copyOf(keys.values());
    }

    public Key get(String id) {
        return keys.get(id);
    }

    /** Base64 of the Ed25519 signature of {@code message} by the signing key. */
    public String sign(byte[] message) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(signing.privateKey());
            s.update(message);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code signature} (base64) is a valid signature of {@code message} by key {@code keyId}. */
    public boolean verify(String keyId, byte[] message, String signature) {
        Key k = keyId == null ? null : keys.get(keyId);
        if (k == null || signature == null) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(k.publicKey());
            s.update(message);
            return s.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
