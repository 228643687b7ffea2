package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import jakarta.ws.rs.HttpMethod;
import org.junit.jupiter.api.Test;

/**
 * docs/openapi.yaml describes exactly the operations our REST resources serve, in both directions. The served
 * operations come from the classes themselves: every realm-resource provider factory of ours registered in a
 * {@code META-INF/services} file on the classpath is mounted at {@code /realms/{realm}/<its id>}; its resource
 * class is the JAX-RS-annotated class its provider creates; operations are the resource's methods with an HTTP
 * method annotation, with their {@code @Path}, following sub-resource locators (a class-level {@code @Path}
 * is ignored, as JAX-RS does for a locator's result). No server is started.
 */
class ApiDocsTest {

    static final Path ROOT = Path.of(System.getProperty("mcias.repo.dir", ".."));
    static final String FACTORIES = "META-INF/services/org.keycloak.services.resource.RealmResourceProviderFactory";
    static final String OUR_PACKAGES = "dev.mcias.";
    static final String MOUNT = "/realms/{realm}";
    static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

    @Test
    void openApiListsEveryServedOperationAndNoOther() throws Exception {
        Map<String, String> served = served();
        // The discovery itself must work, or both sides could be empty: one operation of each known resource.
        for (String known : List.of("get /realms/{realm}/audit/verify", "post /realms/{realm}/system-accounts",
                "get /realms/{realm}/db-credentials/{account}")) {
            assertTrue(served.containsKey(known), known + " not found in " + served.keySet());
        }
        Set<String> documented = documented();
        Set<String> undocumented = new TreeSet<>(served.keySet());
        undocumented.removeAll(documented);
        Set<String> notServed = new TreeSet<>(documented);
        notServed.removeAll(served.keySet());
        List<String> problems = new ArrayList<>();
        undocumented.forEach(op -> problems.add("served but not in docs/openapi.yaml: " + op + " (" + served.get(op) + ")"));
        notServed.forEach(op -> problems.add("in docs/openapi.yaml but served by no resource: " + op));
        assertEquals(List.of(), problems);
    }

    @Test
    void everyDocumentedPathParameterIsDeclared() throws IOException {
        JsonNode doc = openApi();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> p : doc.path("paths").properties()) {
            Set<String> inTemplate = templateNames(p.getKey());
            for (Map.Entry<String, JsonNode> op : p.getValue().properties()) {
                if (!HTTP_METHODS.contains(op.getKey())) {
                    continue;
                }
                Set<String> declared = new TreeSet<>();
                for (JsonNode list : List.of(p.getValue().path("parameters"), op.getValue().path("parameters"))) {
                    for (JsonNode param : list) {
                        JsonNode resolved = resolve(doc, param);
                        if ("path".equals(resolved.path("in").asText())) {
                            declared.add(resolved.path("name").asText());
                        }
                    }
                }
                if (!declared.equals(inTemplate)) {
                    problems.add(op.getKey() + " " + p.getKey() + ": template " + inTemplate + ", declared " + declared);
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    // ---- served side: reflection over the resource classes ----

    /** "method /realms/{realm}/id/path" to the Java method serving it. */
    static Map<String, String> served() throws Exception {
        ClassLoader loader = ApiDocsTest.class.getClassLoader();
        Map<String, String> ops = new TreeMap<>();
        Set<String> factories = new TreeSet<>();
        for (URL url : Collections.list(loader.getResources(FACTORIES))) {
            try (InputStream in = url.openStream()) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    String name = line.replaceAll("#.*", "").trim();
                    if (name.startsWith(OUR_PACKAGES)) {
                        factories.add(name);
                    }
                }
            }
        }
        assertFalse(factories.isEmpty(), "no realm resource provider factory of ours on the classpath");
        for (String name : factories) {
            Class<?> factory = Class.forName(name, false, loader);
            String id = (String) factory.getMethod("getId").invoke(factory.getDeclaredConstructor().newInstance());
            Class<?> resource = resourceOf(factory, factories);
            collect(resource, MOUNT + "/" + id, ops, new ArrayDeque<>());
        }
        return ops;
    }

    /**
     * The one JAX-RS resource class the factory's provider creates: found by following the classes each class
     * file references (its constant pool), within the factory's own JAR, up to the first annotated class.
     */
    static Class<?> resourceOf(Class<?> factory, Set<String> allFactories) throws IOException {
        ClassLoader loader = factory.getClassLoader();
        URL home = factory.getProtectionDomain().getCodeSource().getLocation();
        Deque<Class<?>> todo = new ArrayDeque<>(List.of(factory));
        Set<String> seen = new HashSet<>(Set.of(factory.getName()));
        Set<Class<?>> found = new HashSet<>();
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (c != factory && isResource(c)) {
                found.add(c);
                continue;
            }
            for (String ref : classReferences(c)) {
                String name = ref.replace('/', '.');
                if (ref.startsWith("[") || !name.startsWith(OUR_PACKAGES) || allFactories.contains(name)
                        || !seen.add(name)) {
                    continue;
                }
                Class<?> next;
                try {
                    next = Class.forName(name, false, loader);
                } catch (ClassNotFoundException e) {
                    continue;
                }
                if (next.getProtectionDomain().getCodeSource() != null
                        && home.equals(next.getProtectionDomain().getCodeSource().getLocation())) {
                    todo.add(next);
                }
            }
        }
        assertEquals(1, found.size(), factory.getName() + " should lead to exactly one resource class: " + found);
        return found.iterator().next();
    }

    static boolean isResource(Class<?> c) {
        Method[] methods;
        try {
            methods = c.getDeclaredMethods();
        } catch (LinkageError e) {
            throw new AssertionError("cannot load the method signatures of " + c.getName() + " (" + e
                    + "): add the library to the additionalClasspathDependencies of integration-tests/pom.xml", e);
        }
        for (Method m : methods) {
            if (httpMethod(m) != null || m.isAnnotationPresent(jakarta.ws.rs.Path.class)) {
                return true;
            }
        }
        return false;
    }

    /** GET, POST, ... from any annotation meta-annotated with {@link HttpMethod}; null for none. */
    static String httpMethod(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod h = a.annotationType().getAnnotation(HttpMethod.class);
            if (h != null) {
                return h.value();
            }
        }
        return null;
    }

    static void collect(Class<?> resource, String prefix, Map<String, String> ops, Deque<Class<?>> locators) {
        if (locators.contains(resource)) {
            throw new AssertionError("sub-resource locator cycle at " + resource.getName());
        }
        locators.push(resource);
        for (Method m : resource.getMethods()) {
            String http = httpMethod(m);
            jakarta.ws.rs.Path path = m.getAnnotation(jakarta.ws.rs.Path.class);
            if (http == null && path == null) {
                continue;
            }
            String full = join(prefix, path == null ? "" : path.value());
            if (http != null) {
                String previous = ops.put(http.toLowerCase() + " " + full, resource.getSimpleName() + "." + m.getName());
                if (previous != null) {
                    throw new AssertionError("two methods serve " + http + " " + full + ": " + previous + ", " + m);
                }
            } else {
                Class<?> sub = m.getReturnType();
                if (sub == Object.class || sub == Class.class) {
                    throw new AssertionError("cannot tell what sub-resource locator " + m + " returns");
                }
                collect(sub, full, ops, locators);
            }
        }
        locators.pop();
    }

    static final Pattern TEMPLATE = Pattern.compile("\\{\\s*([A-Za-z0-9_.-]+)\\s*(:[^}]*)?}");

    /** Joins path parts with single slashes, no trailing slash, templates without their regular expressions. */
    static String join(String prefix, String path) {
        String p = (prefix + "/" + path).replaceAll("/+", "/");
        p = TEMPLATE.matcher(p).replaceAll("{$1}");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    static Set<String> templateNames(String path) {
        Set<String> names = new TreeSet<>();
        Matcher m = TEMPLATE.matcher(path);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Names of the classes a class file refers to (CONSTANT_Class entries of its constant pool). */
    static List<String> classReferences(Class<?> c) throws IOException {
        byte[] bytes;
        try (InputStream in = c.getClassLoader().getResourceAsStream(c.getName().replace('.', '/') + ".class")) {
            if (in == null) {
                return List.of();
            }
            bytes = in.readAllBytes();
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file: " + c);
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classNames = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF(); // the class file's modified UTF-8 is DataInput's
                case 7 -> classNames.add(in.readUnsignedShort());
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++; // takes two entries
                }
                default -> throw new IOException("unknown constant pool tag " + tag + " in " + c);
            }
        }
        List<String> out = new ArrayList<>();
        for (int index : classNames) {
            out.add(utf8[index]);
        }
        return out;
    }

    // ---- documented side: the OpenAPI document ----

    static JsonNode openApi() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docs/openapi.yaml").toFile());
    }

    /** "method <server path><path>" for every operation; every server must be mounted at /realms/{realm}. */
    static Set<String> documented() throws IOException {
        JsonNode doc = openApi();
        Set<String> bases = new TreeSet<>();
        for (JsonNode server : doc.path("servers")) {
            String url = server.path("url").asText();
            int slash = url.indexOf('/', url.indexOf("://") + 3);
            bases.add(slash < 0 ? "" : url.substring(slash));
        }
        assertEquals(Set.of(MOUNT), bases, "servers of docs/openapi.yaml");
        Set<String> ops = new TreeSet<>();
        for (Map.Entry<String, JsonNode> p : doc.path("paths").properties()) {
            for (Iterator<String> methods = p.getValue().fieldNames(); methods.hasNext(); ) {
                String method = methods.next();
                if (HTTP_METHODS.contains(method)) {
                    ops.add(method + " " + join(MOUNT, p.getKey()));
                }
            }
        }
        return ops;
    }

    static JsonNode resolve(JsonNode doc, JsonNode node) {
        Map<String, Boolean> guard = new LinkedHashMap<>();
        while (node.has("$ref")) {
            String ref = node.path("$ref").asText();
            if (!ref.startsWith("#/") || guard.put(ref, true) != null) {
                throw new AssertionError("unresolvable $ref " + ref);
            }
            node = doc.at(ref.substring(1));
            if (node.isMissingNode()) {
                throw new AssertionError("dangling $ref " + ref);
            }
        }
        return node;
    }
}
