package dev.mcias.keycloak.it.support;

import java.nio.file.Path;

/** A running Keycloak with the MCIAS pack installed and the realm imported. */
public interface KeycloakServer extends AutoCloseable {

    /** Realm every test works in. */
    String REALM = "mcias";

    /** Base URL without trailing slash, e.g. {@code http://127.0.0.1:43121}. */
    String baseUrl();

    String adminUsername();

    String adminPassword();

    /** Where the server's console output is kept. */
    Path logFile();

    /** {@code h2} or {@code postgres}. */
    String database();

    @Override
    void close();
}
