package dev.mcias.keycloak.it.support;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** Test users and clients in the {@code mcias} realm, created through the admin REST API. */
public final class RealmFixtures {

    /** Confidential client allowing the password grant; only tests create it, the realm JSON does not. */
    public static final String PASSWORD_GRANT_CLIENT = "it-password-grant";
    public static final String PASSWORD_GRANT_SECRET = "it-password-grant-secret-0123456789";

    private final KeycloakApi api;

    public RealmFixtures(KeycloakApi api) {
        this.api = api;
    }

    public static String unique(String prefix) {
        return prefix + "-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
    }

    /**
     * Creates (once) the password-grant test client. It uses Keycloak's built-in "direct grant" flow, so tests
     * can mint tokens for admin users who have no TOTP; the realm's own flow (admins must present TOTP) is
     * tested in RealmConfigIT.
     */
    public synchronized void ensurePasswordGrantClient() {
        String token = api.adminToken();
        JsonNode found = api.get(api.adminRealmUrl("/clients?clientId=" + PASSWORD_GRANT_CLIENT), token).expect(200).json();
        if (found.size() > 0) {
            return;
        }
        api.postJson(api.adminRealmUrl("/clients"), token, Map.of(
                "clientId", PASSWORD_GRANT_CLIENT, "enabled", true, "publicClient", false,
                "secret", PASSWORD_GRANT_SECRET, "directAccessGrantsEnabled", true,
                "standardFlowEnabled", true, "redirectUris", List.of("http://127.0.0.1/it-callback"),
                "attributes", Map.of("pkce.code.challenge.method", "S256"),
                "authenticationFlowBindingOverrides", Map.of("direct_grant", flowId("direct grant")))).expect(201);
        addClientScope(clientUuid(PASSWORD_GRANT_CLIENT), "mcias-api", true);
    }

    /**
     * A confidential client with the password grant (Keycloak's built-in direct-grant flow, so admins without
     * TOTP get tokens) made from {@code extra} on top of those settings; returns its internal id.
     */
    public String createPasswordGrantClient(String clientId, String secret, Map<String, Object> extra) {
        Map<String, Object> rep = new java.util.LinkedHashMap<>(Map.of(
                "clientId", clientId, "enabled", true, "publicClient", secret == null,
                "directAccessGrantsEnabled", true, "standardFlowEnabled", false,
                "authenticationFlowBindingOverrides", Map.of("direct_grant", flowId("direct grant"))));
        if (secret != null) {
            rep.put("secret", secret);
        }
        rep.putAll(extra);
        api.postJson(api.adminRealmUrl("/clients"), api.adminToken(), rep).expect(201);
        return clientUuid(clientId);
    }

    /** A confidential client for the client_credentials grant only, with a fresh client id; returns that id. */
    public String serviceClient(String prefix, String secret) {
        String clientId = unique(prefix);
        api.postJson(api.adminRealmUrl("/clients"), api.adminToken(), Map.of("clientId", clientId, "enabled", true,
                "publicClient", false, "secret", secret, "serviceAccountsEnabled", true,
                "standardFlowEnabled", false)).expect(201);
        return clientId;
    }

    /** Internal id of the client with this client id. */
    public String clientUuid(String clientId) {
        JsonNode found = api.get(api.adminRealmUrl("/clients?clientId=" + clientId), api.adminToken()).expect(200).json();
        if (found.size() != 1) {
            throw new AssertionError("no client " + clientId);
        }
        return found.get(0).path("id").asText();
    }

    /** Gives a client a client scope, as a default scope or an optional one. */
    public void addClientScope(String clientUuid, String scopeName, boolean asDefault) {
        String token = api.adminToken();
        String scopeId = null;
        for (JsonNode s : api.get(api.adminRealmUrl("/client-scopes"), token).expect(200).json()) {
            if (scopeName.equals(s.path("name").asText())) {
                scopeId = s.path("id").asText();
            }
        }
        if (scopeId == null) {
            throw new AssertionError("no client scope " + scopeName);
        }
        api.send("PUT", api.adminRealmUrl("/clients/" + clientUuid + (asDefault ? "/default" : "/optional")
                + "-client-scopes/" + scopeId), token, null, null).expect(204);
    }

    /** Adds ({@code add}) or removes a realm role from a client's scope (what its tokens may carry). */
    public void scopeMapping(String clientUuid, String roleName, boolean add) {
        String token = api.adminToken();
        JsonNode role = api.get(api.adminRealmUrl("/roles/" + roleName), token).expect(200).json();
        api.send(add ? "POST" : "DELETE", api.adminRealmUrl("/clients/" + clientUuid + "/scope-mappings/realm"),
                token, "application/json", KeycloakApi.toJson(List.of(Map.of("id", role.path("id").asText(),
                        "name", roleName)))).expect(204);
    }

    /** Takes a realm role away from a user. */
    public void revokeRealmRole(String userId, String roleName) {
        String token = api.adminToken();
        JsonNode role = api.get(api.adminRealmUrl("/roles/" + roleName), token).expect(200).json();
        api.send("DELETE", api.adminRealmUrl("/users/" + userId + "/role-mappings/realm"), token, "application/json",
                KeycloakApi.toJson(List.of(Map.of("id", role.path("id").asText(), "name", roleName)))).expect(204);
    }

    /** Password grant through any client ({@code secret} null for a public one); returns the access token. */
    public String accessToken(String clientId, String secret, String username, String password) {
        Map<String, String> form = new java.util.LinkedHashMap<>(Map.of("grant_type", "password",
                "client_id", clientId, "username", username, "password", password, "scope", "openid"));
        if (secret != null) {
            form.put("client_secret", secret);
        }
        return api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, form).expect(200).json()
                .path("access_token").asText();
    }

    /**
     * A system account's access token from its MCIAS token (client_credentials, HTTP Basic); {@code scope} is
     * {@code "mcias-api"} for a token meant for our APIs, null for one meant for apps.
     */
    public String systemAccountAccessToken(String account, String mciasToken, String scope) {
        return api.clientCredentials(account, mciasToken, scope).expect(200).json().path("access_token").asText();
    }

    /** Id of the top-level authentication flow with this alias. */
    public String flowId(String alias) {
        for (JsonNode f : api.get(api.adminRealmUrl("/authentication/flows"), api.adminToken()).expect(200).json()) {
            if (alias.equals(f.path("alias").asText())) {
                return f.path("id").asText();
            }
        }
        throw new AssertionError("no flow " + alias);
    }

    /** Sets realm attributes (read, changed, written back through the admin API); an empty value clears one. */
    public void realmAttributes(Map<String, String> attributes) {
        String token = api.adminToken();
        JsonNode rep = api.get(api.adminRealmUrl(""), token).expect(200).json();
        com.fasterxml.jackson.databind.node.ObjectNode attrs = rep.has("attributes")
                ? (com.fasterxml.jackson.databind.node.ObjectNode) rep.get("attributes")
                : ((com.fasterxml.jackson.databind.node.ObjectNode) rep).putObject("attributes");
        attributes.forEach(attrs::put);
        api.putJson(api.adminRealmUrl(""), token, rep.toString()).expect(204);
    }

    /** Creates a user with a plain password (hashed by the realm policy); returns the user id. */
    public String createUser(String username, String password) {
        return createUser(Map.of("username", username, "enabled", true, "firstName", "Test", "lastName", "User",
                "email", username + "@example.test", "emailVerified", true,
                "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false))));
    }

    /** Creates a user from a full representation; returns the user id. */
    public String createUser(Map<String, Object> representation) {
        KeycloakApi.Response r = api.postJson(api.adminRealmUrl("/users"), api.adminToken(), representation).expect(201);
        String location = r.headers().firstValue("Location").orElseThrow();
        return location.substring(location.lastIndexOf('/') + 1);
    }

    /** Gives a user a realm role (the role must exist). */
    public void grantRealmRole(String userId, String roleName) {
        String token = api.adminToken();
        JsonNode role = api.get(api.adminRealmUrl("/roles/" + roleName), token).expect(200).json();
        api.postJson(api.adminRealmUrl("/users/" + userId + "/role-mappings/realm"), token,
                List.of(Map.of("id", role.path("id").asText(), "name", roleName))).expect(204);
    }

    /** Creates the group {@code name} and puts the user in it; returns the group's id. */
    public String addToGroup(String userId, String name) {
        String token = api.adminToken();
        String location = api.postJson(api.adminRealmUrl("/groups"), token, Map.of("name", name)).expect(201)
                .headers().firstValue("Location").orElseThrow();
        String groupId = location.substring(location.lastIndexOf('/') + 1);
        api.send("PUT", api.adminRealmUrl("/users/" + userId + "/groups/" + groupId), token, null, null).expect(204);
        return groupId;
    }

    /** A new user with the given realm roles; returns a fresh access token for them. */
    public String userWithRoles(String prefix, String... roles) {
        String name = unique(prefix);
        String id = createUser(name, DEFAULT_PASSWORD);
        for (String role : roles) {
            grantRealmRole(id, role);
        }
        return passwordGrant(name, DEFAULT_PASSWORD).expect(200).json().path("access_token").asText();
    }

    /** A user holding realm-management's view-events role; returns their access token. */
    public String viewEventsUser() {
        String name = unique("viewer");
        String id = createUser(name, DEFAULT_PASSWORD);
        String token = api.adminToken();
        String mgmt = api.get(api.adminRealmUrl("/clients?clientId=realm-management"), token).expect(200).json()
                .get(0).path("id").asText();
        JsonNode role = api.get(api.adminRealmUrl("/clients/" + mgmt + "/roles/view-events"), token).expect(200).json();
        api.postJson(api.adminRealmUrl("/users/" + id + "/role-mappings/clients/" + mgmt), token,
                List.of(Map.of("id", role.path("id").asText(), "name", "view-events"))).expect(204);
        return passwordGrant(name, DEFAULT_PASSWORD).expect(200).json().path("access_token").asText();
    }

    public static final String DEFAULT_PASSWORD = "It-password-0123456789";

    /** Password grant through the test client. */
    public KeycloakApi.Response passwordGrant(String username, String password) {
        return api.postForm(api.realmUrl("/protocol/openid-connect/token"), null, Map.of(
                "grant_type", "password", "client_id", PASSWORD_GRANT_CLIENT,
                "client_secret", PASSWORD_GRANT_SECRET, "username", username, "password", password,
                "scope", "openid"));
    }

    /** The user's password credential as the admin API shows it, with credentialData parsed. */
    public JsonNode passwordCredentialData(String userId) {
        JsonNode creds = api.get(api.adminRealmUrl("/users/" + userId + "/credentials"), api.adminToken()).expect(200).json();
        for (JsonNode c : creds) {
            if ("password".equals(c.path("type").asText())) {
                try {
                    return KeycloakApi.JSON.readTree(c.path("credentialData").asText());
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new AssertionError("no password credential: " + creds);
    }

    /** A user whose password credential is an imported hash (credentialData/secretData as an export has them). */
    public static Map<String, Object> importedUser(String name, String algorithm, int iterations,
                                                   Map<String, Object> params, String value, String salt) {
        String credentialData = KeycloakApi.toJson(Map.of("algorithm", algorithm, "hashIterations", iterations,
                "additionalParameters", params));
        String secretData = KeycloakApi.toJson(Map.of("value", value, "salt", salt));
        return Map.of("username", name, "enabled", true, "firstName", "Imported", "lastName", "User",
                "email", name + "@example.test", "emailVerified", true,
                "credentials", List.of(Map.of("type", "password", "credentialData", credentialData,
                        "secretData", secretData)));
    }

    /** The user's password credential once it uses {@code algorithm} (Keycloak re-hashes after the commit). */
    public JsonNode awaitPasswordAlgorithm(String userId, String algorithm) throws Exception {
        return Await.value("credential of " + userId + " becomes " + algorithm, java.time.Duration.ofSeconds(10),
                () -> {
                    JsonNode data = passwordCredentialData(userId);
                    return algorithm.equals(data.path("algorithm").asText()) ? data : null;
                });
    }
}
