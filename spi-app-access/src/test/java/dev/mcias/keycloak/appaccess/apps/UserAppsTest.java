package dev.mcias.keycloak.appaccess.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.keycloak.models.ClientModel;

/** The listing rule's pure parts: which clients are apps at all, and which home URLs a browser can open. */
class UserAppsTest {

    /** A client of these properties (getter name to value); every other getter answers null or false. */
    static ClientModel client(Map<String, Object> props) {
        Map<String, Object> p = new HashMap<>(Map.of("getClientId", "photos", "isEnabled", true,
                "isStandardFlowEnabled", true, "isBearerOnly", false, "getProtocol", "openid-connect"));
        p.putAll(props);
        return (ClientModel) Proxy.newProxyInstance(ClientModel.class.getClassLoader(), new Class<?>[]{ClientModel.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getAttribute")) {
                        return p.get("attribute:" + args[0]);
                    }
                    Object v = p.get(method.getName());
                    return v != null || method.getReturnType() != boolean.class ? v : false;
                });
    }

    @Nested
    class GivenAClient {

        @Test
        void aBrowserAppOfTheUserIsAnApp() {
            assertTrue(UserApps.isApp(client(Map.of())));
            assertTrue(UserApps.isApp(client(Map.of("getProtocol", "openid-connect", "isServiceAccountsEnabled", true))));
        }

        @Test
        void disabledBearerOnlyNoStandardFlowAndSamlClientsAreNot() {
            assertFalse(UserApps.isApp(client(Map.of("isEnabled", false))));
            assertFalse(UserApps.isApp(client(Map.of("isBearerOnly", true))));
            assertFalse(UserApps.isApp(client(Map.of("isStandardFlowEnabled", false))));
            assertFalse(UserApps.isApp(client(Map.of("getProtocol", "saml"))));
        }

        @Test
        void systemAccountsAreNot() {
            assertFalse(UserApps.isApp(client(Map.of("attribute:mcias.system_account", "true"))));
            assertFalse(UserApps.isApp(client(Map.of("getClientAuthenticatorType", "system-account-token"))));
        }

        @Test
        void keycloaksAndThePacksOwnClientsAreNot() {
            for (String id : new String[]{"account", "account-console", "admin-cli", "security-admin-console", "broker",
                    "realm-management", "admin-permissions", "mciasctl", "mcias-apps"}) {
                assertFalse(UserApps.isApp(client(Map.of("getClientId", id))), id);
            }
        }
    }

    @Nested
    class GivenAHomeUrl {

        @Test
        void absoluteHttpAndHttpsUrlsAreKept() {
            assertEquals("https://photos.example.org/", UserApps.httpUrl("https://photos.example.org/"));
            assertEquals("http://127.0.0.1:8080/x?y=1", UserApps.httpUrl("http://127.0.0.1:8080/x?y=1"));
            assertEquals("HTTPS://A.example/", UserApps.httpUrl("HTTPS://A.example/"));
        }

        @Test
        void anythingABrowserWouldNotOpenAsAPageIsDropped() {
            assertNull(UserApps.httpUrl(null));
            assertNull(UserApps.httpUrl("/relative"));
            assertNull(UserApps.httpUrl("javascript:alert(1)"));
            assertNull(UserApps.httpUrl("data:text/html,<script>x</script>"));
            assertNull(UserApps.httpUrl("https:///no-host"));
            assertNull(UserApps.httpUrl("https://a b/"));
            assertNull(UserApps.httpUrl("ftp://files.example/"));
        }
    }
}
