package dev.mcias.keycloak.dbcredentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The layering the module README describes: HTTP in the resource, tables in the store, SQL in PostgresRoles. */
class ShapeTest {

    static final Path SRC = Path.of("src/main/java/dev/mcias/keycloak/dbcredentials");

    @Test
    void theResourceTouchesNeitherJpaNorJdbcNorCrypto() throws IOException {
        String resource = Files.readString(SRC.resolve("DbCredentialsResource.java"));
        for (String forbidden : List.of("import jakarta.persistence", "import java.sql", "import javax.crypto")) {
            assertFalse(resource.contains(forbidden), forbidden);
        }
    }

    @Test
    void onlyTheStoreHoldsTheEntityManagerAndItHandsItToNoOne() throws IOException {
        try (var files = Files.list(SRC)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().equals("DbCredentialStore.java")) {
                    assertFalse(Files.readString(f).contains("EntityManager"), f.toString());
                }
            }
        }
        assertEquals(List.of(), Arrays.stream(DbCredentialStore.class.getMethods())
                .filter(m -> m.getReturnType().getName().equals("jakarta.persistence.EntityManager"))
                .map(Method::getName).toList());
    }
}
