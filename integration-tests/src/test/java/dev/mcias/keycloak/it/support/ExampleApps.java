package dev.mcias.keycloak.it.support;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * Values for the realm JSON's {@code ${ENV}} placeholders, one set per test JVM: where the example web app and
 * SPA live (loopback ports that tests may serve) and the web app's client secret.
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

    /** Environment for a Keycloak process that imports the realm. */
    public static Map<String, String> environment() {
        return Map.of("MCIAS_SPA_URL", spaUrl(), "MCIAS_WEBAPP_URL", webappUrl(),
                "MCIAS_WEBAPP_CLIENT_SECRET", WEBAPP_CLIENT_SECRET);
    }

    private static String randomSecret() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
