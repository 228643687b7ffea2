package dev.mcias.keycloak.dbcredentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DbCredentialSpecTest {

    static JsonNode json(String s) throws Exception {
        return new ObjectMapper().readTree(s.replace('\'', '"'));
    }

    @Test
    void validStaticAndDynamicBodies() throws Exception {
        DbCredentialSpec s = DbCredentialSpec.parse(json("{'mode':'static','host':'db.example','database':'app',"
                + "'username':'app_user','password':'p@ss word'}"));
        assertEquals(5432, s.port());
        assertEquals("require", s.sslmode());
        DbCredentialSpec d = DbCredentialSpec.parse(json("{'mode':'dynamic','host':'10.0.0.5','port':6432,"
                + "'database':'app','username':'creator','password':'x','group_role':'readers','ttl_seconds':60}"));
        assertTrue(d.dynamic());
        assertEquals(60L, d.ttlSeconds());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "[]", "{'mode':'static'}", "{'mode':'other','host':'h','database':'d','username':'u','password':'p'}",
            "{'mode':'static','host':'h;rm','database':'d','username':'u','password':'p'}",
            "{'mode':'static','host':'h','database':'d\\\"x','username':'u','password':'p'}",
            "{'mode':'static','host':'h','database':'d','username':'u u','password':'p'}",
            "{'mode':'static','host':'h','database':'d','username':'u','password':''}",
            "{'mode':'static','host':'h','database':'d','username':'u','password':'p','port':0}",
            "{'mode':'static','host':'h','database':'d','username':'u','password':'p','sslmode':'off'}",
            "{'mode':'static','host':'h','database':'d','username':'u','password':'p','options':'a\\u0027b'}",
            "{'mode':'static','host':'h','database':'d','username':'u','password':'p','group_role':'g'}",
            "{'mode':'dynamic','host':'h','database':'d','username':'u','password':'p'}",
            "{'mode':'dynamic','host':'h','database':'d','username':'u','password':'p','group_role':'g','ttl_seconds':9}",
            "{'mode':'dynamic','host':'h','database':'d','username':'u','password':'p','group_role':'g\\\";drop'}",
    })
    void invalidBodies(String body) {
        assertThrows(DbCredentialSpec.Invalid.class, () -> DbCredentialSpec.parse(json(body)));
    }

    @Test
    void quotingAndUri() {
        assertEquals("\"a\"\"b\"", PostgresRoles.quoteIdentifier("a\"b"));
        assertEquals("'it''s'", PostgresRoles.quoteLiteral("it's"));
        assertThrows(IllegalArgumentException.class, () -> PostgresRoles.quoteLiteral("a\0b"));
        assertEquals("postgresql://u%40x:p%20w%2F%3A@h:5432/db?sslmode=require&options=-c%20a%3Db",
                PostgresRoles.uri("u@x", "p w/:", "h", 5432, "db", "require", "-c a=b"));
    }

    static String staticBody(String password) {
        return "{\"mode\":\"static\",\"host\":\"h\",\"database\":\"d\",\"username\":\"u\",\"password\":\""
                + password + "\"}";
    }

    /** 1024 bytes is the limit, in UTF-8; the ciphertext of the longest password fits its column. */
    @Test
    void passwordLimitAndTheColumnThatHoldsIt() throws Exception {
        String longest = "p".repeat(DbCredentialSpec.MAX_PASSWORD_BYTES);
        assertEquals(longest, DbCredentialSpec.parse(new ObjectMapper().readTree(staticBody(longest))).password());
        assertThrows(DbCredentialSpec.Invalid.class,
                () -> DbCredentialSpec.parse(new ObjectMapper().readTree(staticBody(longest + "p"))));
        assertThrows(DbCredentialSpec.Invalid.class, () -> DbCredentialSpec.parse(
                new ObjectMapper().readTree(staticBody("\u00e9".repeat(513)))), "1026 bytes in UTF-8");
        byte[] key = new byte[32];
        SecretBox box = SecretBox.parse(java.util.List.of("k1:" + java.util.Base64.getEncoder().encodeToString(key)),
                "test");
        String ct = box.encrypt(longest, "00000000-0000-0000-0000-000000000000|00000000-0000-0000-0000-000000000000|"
                + "00000000-0000-0000-0000-000000000000");
        int column = DbCredentialEntity.class.getDeclaredField("secret").getAnnotation(jakarta.persistence.Column.class)
                .length();
        assertTrue(ct.length() <= column, ct.length() + " > " + column);
        String changelog = new String(DbCredentialSpecTest.class.getResourceAsStream(
                "/META-INF/mcias-db-credentials-changelog.xml").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(changelog.contains("columnName=\"SECRET\" newDataType=\"VARCHAR(" + column + ")\""),
                "the changelog sizes the column like the entity");
    }

    @Test
    void theSpecNeverPrintsThePassword() throws Exception {
        assertFalse(DbCredentialSpec.parse(new ObjectMapper().readTree(staticBody("hunter2-secret"))).toString()
                .contains("hunter2"));
    }

    @Test
    void generatedRolesAndPasswords() {
        String r = PostgresRoles.newRoleName();
        assertTrue(r.matches("mcias_dyn_[0-9a-f]{16}"), r);
        assertTrue(PostgresRoles.newPassword().matches("[A-Za-z0-9_-]{43}"));
    }
}
