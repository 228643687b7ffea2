package dev.mcias.keycloak.dbcredentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.keycloak.services.util.ObjectMapperResolver;

import dev.mcias.keycloak.dbcredentials.DbCredentialService.Credentials;
import dev.mcias.keycloak.dbcredentials.DbCredentialService.Rotated;
import dev.mcias.keycloak.dbcredentials.DbCredentialService.Status;
import dev.mcias.keycloak.dbcredentials.DbCredentialService.Stored;
import dev.mcias.keycloak.dbcredentials.DbCredentialService.StuckRole;

/**
 * The answers' wire format (docs/api.md, docs/openapi.yaml): exactly the JSON of the maps the API used to answer
 * with, through Keycloak's mapper (which leaves nulls out) and through a plain one (which writes them).
 */
class AnswersTest {

    static final ObjectMapper KEYCLOAK = new ObjectMapperResolver().getContext(Object.class);
    static final ObjectMapper PLAIN = new ObjectMapper();

    /** A map from alternating keys and values, in order, nulls kept. */
    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static String sameAsMap(Object answer, Map<String, Object> map) throws Exception {
        assertEquals(PLAIN.writeValueAsString(map), PLAIN.writeValueAsString(answer));
        assertEquals(KEYCLOAK.writeValueAsString(map), KEYCLOAK.writeValueAsString(answer));
        return KEYCLOAK.writeValueAsString(answer);
    }

    @Test
    void readAnswers() throws Exception {
        String uri = "postgresql://u:p@h:5432/d?sslmode=require";
        assertEquals("{\"mode\":\"static\",\"host\":\"h\",\"port\":5432,\"database\":\"d\",\"username\":\"u\","
                + "\"password\":\"p\",\"sslmode\":\"require\",\"uri\":\"" + uri + "\"}", sameAsMap(
                new Credentials(DbCredentialMode.STATIC, "h", 5432, "d", "u", "p", "require", null, uri, null),
                map("mode", "static", "host", "h", "port", 5432, "database", "d", "username", "u", "password", "p",
                        "sslmode", "require", "uri", uri)));
        sameAsMap(new Credentials(DbCredentialMode.DYNAMIC, "h", 5432, "d", "u", "p", "require", "-c a=b", uri,
                        "2026-01-01T00:00:00Z"),
                map("mode", "dynamic", "host", "h", "port", 5432, "database", "d", "username", "u", "password", "p",
                        "sslmode", "require", "options", "-c a=b", "uri", uri, "expires_at", "2026-01-01T00:00:00Z"));
        assertFalse(new Credentials(DbCredentialMode.STATIC, "h", 5432, "d", "u", "hunter2", "require", null,
                "postgresql://u:hunter2@h:5432/d", null).toString().contains("hunter2"));
    }

    @Test
    void storedSettingsAnswers() throws Exception {
        assertEquals("{\"account\":\"billing\",\"mode\":\"static\",\"host\":\"h\",\"port\":5432,\"database\":\"d\","
                + "\"username\":\"u\",\"sslmode\":\"require\",\"key_id\":\"k1\"}", sameAsMap(
                new Stored("billing", DbCredentialMode.STATIC, "h", 5432, "d", "u", "require", null, null, null, "k1",
                        true),
                map("account", "billing", "mode", "static", "host", "h", "port", 5432, "database", "d", "username",
                        "u", "sslmode", "require", "options", null, "key_id", "k1")));
        sameAsMap(new Stored("billing", DbCredentialMode.DYNAMIC, "h", 5432, "d", "u", "require", "-c a=b", "g",
                        3600L, "k1", false),
                map("account", "billing", "mode", "dynamic", "host", "h", "port", 5432, "database", "d", "username",
                        "u", "sslmode", "require", "options", "-c a=b", "group_role", "g", "ttl_seconds", 3600L,
                        "key_id", "k1"));
    }

    @Test
    void rotationAndStatusAnswers() throws Exception {
        assertEquals("{\"rotated\":2,\"key_id\":\"k2\"}", sameAsMap(new Rotated(2, "k2"),
                map("rotated", 2, "key_id", "k2")));
        assertEquals("{\"dynamic_roles\":3,\"stuck_roles\":1,\"stuck\":[{\"role\":\"mcias_dyn_0\","
                + "\"expires_at\":\"2026-01-01T00:00:00Z\",\"attempts\":2}]}", sameAsMap(
                new Status(3, 1, List.of(new StuckRole("mcias_dyn_0", "2026-01-01T00:00:00Z", 2, null, null))),
                map("dynamic_roles", 3L, "stuck_roles", 1L, "stuck", List.of(map("role", "mcias_dyn_0",
                        "expires_at", "2026-01-01T00:00:00Z", "attempts", 2, "next_attempt_at", null,
                        "last_error", null)))));
        sameAsMap(new Status(1, 1, List.of(new StuckRole("r", "t", 1, "u", "boom (SQLState 2BP01)"))),
                map("dynamic_roles", 1L, "stuck_roles", 1L, "stuck", List.of(map("role", "r", "expires_at", "t",
                        "attempts", 1, "next_attempt_at", "u", "last_error", "boom (SQLState 2BP01)"))));
        sameAsMap(new Status(0, 0, List.of()), map("dynamic_roles", 0L, "stuck_roles", 0L, "stuck", List.of()));
    }
}
