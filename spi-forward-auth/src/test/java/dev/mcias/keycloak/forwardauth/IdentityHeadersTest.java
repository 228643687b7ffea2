package dev.mcias.keycloak.forwardauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.keycloak.models.ClientModel;

/** An app's identity header names: Remote-* unless it names its own; a name that steers proxy or app admits nobody. */
class IdentityHeadersTest {

    static ClientModel client(Map<String, String> attributes) {
        return (ClientModel) Proxy.newProxyInstance(IdentityHeadersTest.class.getClassLoader(),
                new Class<?>[] {ClientModel.class}, (p, m, a) -> {
                    if (m.getName().equals("getAttribute")) {
                        return attributes.get((String) a[0]);
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    static IdentityHeaders named(String key, String value) {
        return IdentityHeaders.of(client(Map.of(IdentityHeaders.ATTRIBUTE + key, value)));
    }

    @Nested
    class GivenNoNames {
        @Test
        void theyAreRemoteStar() {
            assertEquals(List.of("Remote-User", "Remote-Email", "Remote-Name", "Remote-Groups"),
                    IdentityHeaders.of(client(Map.of())).all());
        }
    }

    @Nested
    class GivenTheAppsOwnNames {
        @Test
        void theyReplaceTheDefaultsOneByOne() {
            assertEquals(List.of("X-Webauth-User", "Remote-Email", "Remote-Name", "Remote-Groups"),
                    named("user", "X-Webauth-User").all());
            assertEquals("Remote-User", named("user", "").user());
        }

        @Test
        void aNameThatSteersTheProxyOrTheAppOrIsNoHeaderNameAdmitsNobody() {
            for (String bad : List.of("Host", "cookie", "Authorization", "X-Forwarded-User", "X-Mcias-App",
                    "Content-Length", "Forwarded", "Sec-Fetch-Site", "X_User", "X User", "X-User\r\nX-Admin", "-x",
                    "1x", "x".repeat(65), "Ünicode")) {
                assertNull(named("user", bad), bad);
            }
        }

        @Test
        void twoHeadersOfOneNameAdmitNobody() {
            assertNull(named("user", "remote-email"));
            assertNull(IdentityHeaders.of(client(Map.of(IdentityHeaders.ATTRIBUTE + "user", "X-A",
                    IdentityHeaders.ATTRIBUTE + "groups", "x-a"))));
        }
    }
}
