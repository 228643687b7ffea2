package dev.mcias.keycloak.it.testcontainers;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dasniko.testcontainers.keycloak.KeycloakContainer;
import dev.mcias.keycloak.it.support.KeycloakServer;

/**
 * Opt-in launcher ({@code -Ptestcontainers}) for hosts with a Docker engine: the official image with our
 * provider JARs and realm. Compiled and used only in that profile; our build machines have no Docker.
 */
public final class TestcontainersKeycloakServer implements KeycloakServer {

    private final KeycloakContainer container;
    private final Path logFile;

    public TestcontainersKeycloakServer() {
        List<File> providers;
        try (Stream<Path> jars = Files.list(Path.of(System.getProperty("mcias.providers.dir")))) {
            providers = jars.filter(p -> p.toString().endsWith(".jar")).map(Path::toFile).collect(Collectors.toList());
            logFile = Files.createDirectories(Path.of(System.getProperty("kc.test.work.dir", "target/it-work")))
                    .resolve("keycloak-testcontainers.log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        container = new KeycloakContainer(System.getProperty("keycloak.image"))
                .withProviderLibsFrom(providers)
                .withRealmImportFile("/realm/mcias-realm.json")
                .withLogConsumer(frame -> appendLog(frame.getUtf8String()));
        container.start();
    }

    private void appendLog(String line) {
        try {
            Files.writeString(logFile, line, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String baseUrl() {
        String url = container.getAuthServerUrl();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public String adminUsername() {
        return container.getAdminUsername();
    }

    @Override
    public String adminPassword() {
        return container.getAdminPassword();
    }

    @Override
    public Path logFile() {
        return logFile;
    }

    @Override
    public String database() {
        return "h2";
    }

    @Override
    public void close() {
        container.stop();
    }
}
