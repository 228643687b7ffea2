package dev.mcias.keycloak.dbcredentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.mcias.keycloak.common.Errors;

class DbCredentialSpecTest {

    static final String STATIC = "'mode':'static','host':'h','database':'d','username':'u','password':'p'";
    static final String DYNAMIC = "'mode':'dynamic','host':'h','database':'d','username':'u','password':'p',"
            + "'group_role':'g'";

    /** Single quotes stand for double quotes. */
    static DbCredentialSpec parse(String body) throws Errors.BadRequest {
        return DbCredentialSpec.parse(new ByteArrayInputStream(body.replace('\'', '"')
                .getBytes(StandardCharsets.UTF_8)));
    }

    static String refused(String body) {
        return assertThrows(Errors.BadRequest.class, () -> parse(body), body).getMessage();
    }

    @Test
    void validStaticAndDynamicBodies() throws Exception {
        DbCredentialSpec s = parse("{'mode':'static','host':'db.example','database':'app',"
                + "'username':'app_user','password':'p@ss word'}");
        assertEquals(5432, s.port());
        assertEquals("require", s.sslmode());
        assertNull(s.ttlSeconds());
        assertEquals(s, parse("{" + "'mode':'static','host':'db.example','database':'app','username':'app_user',"
                + "'password':'p@ss word','port':null,'sslmode':null,'options':null}"), "null is an absent field");
        DbCredentialSpec d = parse("{'mode':'dynamic','host':'10.0.0.5','port':6432,"
                + "'database':'app','username':'creator','password':'x','group_role':'readers','ttl_seconds':60}");
        assertTrue(d.dynamic());
        assertEquals(60L, d.ttlSeconds());
        assertEquals(DbCredentialSpec.DEFAULT_TTL, parse("{" + DYNAMIC + "}").ttlSeconds());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{'mode':'static'}", "{'host':'h','database':'d','username':'u','password':'p'}",
            "{'mode':'other','host':'h','database':'d','username':'u','password':'p'}",
            "{'mode':'retired','host':'h','database':'d','username':'u','password':'p'}",
            "{'mode':'STATIC','host':'h','database':'d','username':'u','password':'p'}",
            "{'mode':'static','host':'h;rm','database':'d','username':'u','password':'p'}",
            "{'mode':'static','host':'h','database':'d\\\"x','username':'u','password':'p'}",
            "{'mode':'static','host':'h','database':'d','username':'u u','password':'p'}",
            "{'mode':'static','host':'h','database':'d','username':'u','password':''}",
            "{'mode':'static','host':'h','database':'d','username':'u','password':'a\\u0000b'}",
            "{'mode':'static','host':'h','database':'d','username':'u'}",
            "{" + STATIC + ",'port':0}", "{" + STATIC + ",'port':65536}", "{" + STATIC + ",'sslmode':'off'}",
            "{" + STATIC + ",'options':'a\\u0027b'}", "{" + STATIC + ",'group_role':'g'}",
            "{" + STATIC + ",'ttl_seconds':60}",
            "{'mode':'dynamic','host':'h','database':'d','username':'u','password':'p'}",
            "{" + DYNAMIC + ",'ttl_seconds':9}", "{" + DYNAMIC + ",'ttl_seconds':604801}",
            "{'mode':'dynamic','host':'h','database':'d','username':'u','password':'p','group_role':'g\\\";drop'}",
    })
    void bodiesTheRulesRefuse(String body) {
        String message = refused(body);
        assertFalse(message.contains("wrong type") || message.startsWith("malformed"), message);
    }

    @Test
    void staticModeNamesTheDynamicOnlyField() {
        assertEquals("unknown field for static mode: group_role", refused("{" + STATIC + ",'group_role':'g'}"));
        assertEquals("unknown field for static mode: ttl_seconds", refused("{" + STATIC + ",'ttl_seconds':60}"));
        assertEquals("unknown field: extra", refused("{" + DYNAMIC + ",'extra':1}"));
        assertEquals("unknown field: groupRole", refused("{" + DYNAMIC + ",'groupRole':'g'}"));
        assertEquals("mode must be static or dynamic", refused("{'mode':'magic'}"));
        assertEquals("unknown field: moed", refused("{'moed':'static'}"), "the reader answers before the rules");
        assertTrue(refused("{'mode':'static'} x").startsWith("malformed JSON"));
    }

    /** A valid dynamic body with one field's JSON value replaced. */
    static String dynamicWith(String field, String value) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : DYNAMIC.split(",")) {
            fields.put(pair.substring(1, pair.indexOf(':') - 1), pair.substring(pair.indexOf(':') + 1));
        }
        fields.put(field, value);
        return fields.entrySet().stream().map(e -> "'" + e.getKey() + "':" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {"port|'5432'", "port|5432.0", "port|54.32",
            "port|true", "port|99999999999", "ttl_seconds|'60'", "ttl_seconds|60.5", "ttl_seconds|true",
            "ttl_seconds|[60]", "mode|1", "mode|true", "host|1", "password|12345", "password|['p']", "options|{}",
            "group_role|false"})
    void valuesOfAnotherTypeAreRefused(String field, String value) {
        assertEquals(field + ": wrong type", refused(dynamicWith(field, value)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "{'mode':", "{" + STATIC + "} {}", "{" + STATIC + ",'password':'q'}", ""})
    void bodiesTheStrictReaderRefuses(String body) {
        refused(body);
    }

    @ParameterizedTest
    @ValueSource(strings = {"'hunter2-secret','port':'x'", "'hunter2-secret','password':'hunter2-secret'",
            "['hunter2-secret']", "'hunter2-secret\\u0000'", "'hunter2-secret','x':1", "{'hunter2-secret':1}"})
    void noMessageHoldsThePassword(String password) {
        String message = refused("{" + STATIC.replace("'p'", password) + "}");
        assertFalse(message.contains("hunter2"), message);
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
        assertEquals(longest, parse(staticBody(longest)).password());
        assertTrue(refused(staticBody(longest + "p")).startsWith("password must be 1 to 1024 bytes"));
        assertTrue(refused(staticBody("\u00e9".repeat(513))).startsWith("password must be"), "1026 bytes in UTF-8");
        byte[] key = new byte[32];
        SecretBox box = SecretBox.parse(java.util.List.of("k1:" + java.util.Base64.getEncoder().encodeToString(key)),
                "test");
        String ct = box.encrypt(longest, "00000000-0000-0000-0000-000000000000|00000000-0000-0000-0000-000000000000|"
                + "00000000-0000-0000-0000-000000000000");
        int column = DbCredentialEntity.class.getDeclaredField("secret").getAnnotation(jakarta.persistence.Column.class)
                .length();
        assertTrue(ct.length() <= column, ct.length() + " > " + column);
        String changelog = new String(DbCredentialSpecTest.class.getResourceAsStream(
                "/META-INF/mcias-db-credentials-changelog.xml").readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(changelog.contains("columnName=\"SECRET\" newDataType=\"VARCHAR(" + column + ")\""),
                "the changelog sizes the column like the entity");
    }

    @Test
    void theSpecNeverPrintsThePassword() throws Exception {
        assertFalse(parse(staticBody("hunter2-secret")).toString().contains("hunter2"));
    }

    @Test
    void generatedRolesAndPasswords() {
        String r = PostgresRoles.newRoleName();
        assertTrue(r.matches("mcias_dyn_[0-9a-f]{16}"), r);
        assertTrue(PostgresRoles.newPassword().matches("[A-Za-z0-9_-]{43}"));
    }
}
