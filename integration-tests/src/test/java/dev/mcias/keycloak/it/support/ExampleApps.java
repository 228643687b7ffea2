package dev.mcias.keycloak.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The example clients ({@code realm-config/mcias-examples.json}, kept out of the production realm) and the values
 * for their {@code ${ENV}} placeholders, one set per test JVM: where the example web app and SPA live (loopback
 * ports that tests may serve) and the web app's client secret.
 */
public final class ExampleApps {

    public static final int SPA_PORT = DistributionKeycloakServer.freePort();
    public static final int WEBAPP_PORT = DistributionKeycloakServer.freePort();
    public static final String WEBAPP_CLIENT_SECRET = randomSecret();

    private ExampleApps() {
    }

    public static String spaUrl() {
        return "http://127.0.0.1:" + SPA_PORT;
    }

    public static String webappUrl() {
        return "http://127.0.0.1:" + WEBAPP_PORT;
    }

    /** Values of the examples file's placeholders. */
    public static Map<String, String> environment() {
        return Map.of("MCIAS_SPA_URL", spaUrl(), "MCIAS_WEBAPP_URL", webappUrl(),
                "MCIAS_WEBAPP_CLIENT_SECRET", WEBAPP_CLIENT_SECRET);
    }

    /**
     * The examples file with its placeholders filled in. Keycloak's partial import, unlike the realm import at
     * start, does not resolve {@code ${ENV}} placeholders, so the importer does (run-local.sh does the same).
     */
    public static String examplesJson() {
        String json;
        try {
            json = Files.readString(Path.of(System.getProperty("mcias.examples.file")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Map.Entry<String, String> e : environment().entrySet()) {
            json = json.replace("${" + e.getKey() + "}", e.getValue());
        }
        if (json.contains("${")) {
            throw new IllegalStateException("unresolved placeholder in " + System.getProperty("mcias.examples.file"));
        }
        return json;
    }

    /**
     * Adds the example clients and their role to the realm of a running server through the admin REST partial
     * import (existing ones are skipped); returns Keycloak's answer.
     */
    public static JsonNode importInto(KeycloakApi api) {
        return api.send("POST", api.adminRealmUrl("/partialImport"), api.adminToken(), "application/json", examplesJson())
                .expect(200).json();
    }

    private static String randomSecret() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
