package dev.mcias.keycloak.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.JsonNode;

/** Minimal JWT reading and Ed25519 signature checking against a JWKS, with the JDK only. */
public final class Jwt {

    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    public final JsonNode header;
    public final JsonNode claims;
    private final String signingInput;
    private final byte[] signature;

    private Jwt(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a JWS compact token");
        }
        header = json(parts[0]);
        claims = json(parts[1]);
        signingInput = parts[0] + "." + parts[1];
        signature = Base64.getUrlDecoder().decode(parts[2]);
    }

    public static Jwt parse(String token) {
        return new Jwt(token);
    }

    /** Whether the signature verifies with the JWKS's Ed25519 key named by the header's kid. */
    public boolean verifiesWithEd25519(JsonNode jwks) {
        for (JsonNode key : jwks.path("keys")) {
            if (key.path("kid").asText().equals(header.path("kid").asText())
                    && "OKP".equals(key.path("kty").asText()) && "Ed25519".equals(key.path("crv").asText())) {
                try {
                    byte[] x = Base64.getUrlDecoder().decode(key.path("x").asText());
                    byte[] spki = new byte[ED25519_SPKI_PREFIX.length + x.length];
                    System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
                    System.arraycopy(x, 0, spki, ED25519_SPKI_PREFIX.length, x.length);
                    PublicKey pub = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
                    Signature verifier = Signature.getInstance("Ed25519");
                    verifier.initVerify(pub);
                    verifier.update(signingInput.getBytes(StandardCharsets.US_ASCII));
                    return verifier.verify(signature);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return false;
    }

    private static JsonNode json(String part) {
        try {
            return KeycloakApi.JSON.readTree(Base64.getUrlDecoder().decode(part));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
