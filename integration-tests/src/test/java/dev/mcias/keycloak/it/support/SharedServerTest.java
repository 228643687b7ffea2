package dev.mcias.keycloak.it.support;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of the tests on the shared server: before each test, {@link #api} talks to it and {@link #fx} builds
 * on the {@code mcias} realm, whose password-grant test client exists.
 */
@ExtendWith(KeycloakExtension.class)
public abstract class SharedServerTest {

    protected KeycloakApi api;
    protected RealmFixtures fx;

    @BeforeEach
    protected void connect(KeycloakApi api) {
        this.api = api;
        this.fx = new RealmFixtures(api);
        fx.ensurePasswordGrantClient();
    }
}
