package dev.mcias.keycloak.it.support;

import java.util.List;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one Keycloak for the whole test run (all classes share it) and stops it when JUnit closes the root
 * context, whether tests passed or not. Inject {@link KeycloakServer} or {@link KeycloakApi} into tests.
 */
public final class KeycloakExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KeycloakExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        Class<?> type = p.getParameter().getType();
        return type == KeycloakServer.class || type == KeycloakApi.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        Shared shared = c.getRoot().getStore(NS).getOrComputeIfAbsent(Shared.class, k -> new Shared(launch()), Shared.class);
        return p.getParameter().getType() == KeycloakApi.class ? shared.api : shared.server;
    }

    private static KeycloakServer launch() {
        if ("testcontainers".equals(System.getProperty("kc.test.launcher"))) {
            try {
                return (KeycloakServer) Class.forName("dev.mcias.keycloak.it.testcontainers.TestcontainersKeycloakServer")
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("testcontainers launcher unavailable (use -Ptestcontainers)", e);
            }
        }
        DistributionKeycloakServer server = DistributionKeycloakServer.fromBuild(TestDatabase.fromSystemProperty(),
                ServerOptions.DEFAULTS);
        try {
            server.start();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static final class Shared implements ExtensionContext.Store.CloseableResource {
        final KeycloakServer server;
        final KeycloakApi api;

        Shared(KeycloakServer server) {
            this.server = server;
            this.api = new KeycloakApi(server);
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /** Options every test server gets beyond the basics; SPI options of our providers go here. */
    public static final class ServerOptions {
        public static final List<String> DEFAULTS = List.of();

        private ServerOptions() {
        }
    }
}
