package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** docs/openapi.yaml describes exactly the operations our JAX-RS resources serve. */
class ApiDocsTest {

    static final Path ROOT = Path.of(System.getProperty("mcias.repo.dir", ".."));
    static final Map<String, String> RESOURCES = Map.of(
            "spi-system-accounts/src/main/java/dev/mcias/keycloak/systemaccounts/SystemAccountsResource.java", "/system-accounts",
            "spi-db-credentials/src/main/java/dev/mcias/keycloak/dbcredentials/DbCredentialsResource.java", "/db-credentials",
            "spi-audit-listener/src/main/java/dev/mcias/keycloak/audit/AuditResource.java", "/audit");
    static final Pattern ANNOTATION = Pattern.compile("^\\s*@(GET|POST|PUT|DELETE|Path\\(\"([^\"]*)\"\\))");

    @Test
    void openApiListsEveryOperationAndNoOther() throws IOException {
        assertEquals(served(), documented());
    }

    static Set<String> served() throws IOException {
        Set<String> ops = new TreeSet<>();
        for (Map.Entry<String, String> r : RESOURCES.entrySet()) {
            String method = null;
            String path = "";
            for (String line : Files.readAllLines(ROOT.resolve(r.getKey()))) {
                Matcher m = ANNOTATION.matcher(line);
                if (m.find()) {
                    if (m.group(2) != null) {
                        path = "/" + m.group(2);
                    } else {
                        method = m.group(1).toLowerCase();
                    }
                } else if (line.contains("public Response ") && method != null) {
                    ops.add(method + " " + r.getValue() + path);
                    method = null;
                    path = "";
                } else if (line.contains("public Response ")) {
                    path = "";
                }
            }
        }
        return ops;
    }

    static Set<String> documented() throws IOException {
        Set<String> ops = new TreeSet<>();
        List<String> lines = Files.readAllLines(ROOT.resolve("docs/openapi.yaml"));
        boolean inPaths = false;
        String path = null;
        for (String line : lines) {
            if (line.equals("paths:")) {
                inPaths = true;
            } else if (inPaths && !line.startsWith(" ") && !line.isBlank()) {
                break;
            } else if (inPaths && line.matches("  /\\S*:")) {
                path = line.trim().substring(0, line.trim().length() - 1);
            } else if (inPaths && path != null && line.matches("    (get|post|put|delete):")) {
                ops.add(line.trim().replace(":", "") + " " + path);
            }
        }
        return ops;
    }
}
