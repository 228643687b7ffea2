package dev.mcias.keycloak.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Keycloak run from the unpacked {@code keycloak-quarkus-dist} as a child process ({@code bin/kc.sh start}),
 * with our provider JARs in {@code providers/} and the production realm JSON in {@code data/import/} (the example
 * clients are not in it: {@link ExampleApps#importInto} adds them to a running server).
 */
public final class DistributionKeycloakServer implements KeycloakServer {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(Long.getLong("kc.test.start.timeout", 300));
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    /** The pack's theme, Keycloak's default theme on every test server (--spi-theme--default). */
    public static final String THEME = "mcias";

    private final Path home;
    private final TestDatabase database;
    private final List<String> extraOptions;
    private final Path logFile;
    private final int httpPort;
    private final int managementPort;
    private final String adminPassword;
    private final java.util.Map<String, String> environment = new java.util.HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Thread shutdownHook = new Thread(this::kill, "keycloak-test-server-kill");
    /** Started as the image starts it ({@link #optimized}) rather than with the development-style defaults. */
    private boolean optimized;
    /** A copy of the run's built distribution ({@link #built}): started {@code --optimized}, never re-augmented. */
    private final boolean prebuilt;
    private Process process;

    public DistributionKeycloakServer(Path home, TestDatabase database, List<String> extraOptions, Path logFile) {
        this(home, database, extraOptions, logFile, randomPassword());
    }

    private static String randomPassword() {
        byte[] pw = new byte[18];
        new SecureRandom().nextBytes(pw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(pw);
    }

    public DistributionKeycloakServer(Path home, TestDatabase database, List<String> extraOptions, Path logFile,
                                      String adminPassword) {
        this.home = home;
        this.database = database;
        this.extraOptions = new ArrayList<>(extraOptions);
        this.logFile = logFile;
        this.httpPort = freePort();
        this.managementPort = freePort();
        this.adminPassword = adminPassword;
        this.prebuilt = builtKind(home) != null;
        if (prebuilt && !builtKind(home).equals(database.kind())) {
            throw new IllegalStateException(home + " was built for " + builtKind(home) + ", not " + database.kind());
        }
    }

    /**
     * One node of a cluster: its own copy of the distribution under the work dir, clustered caches bound to
     * 127.0.0.1, and the admin password of the first node (the bootstrap admin exists once per database).
     */
    public static DistributionKeycloakServer clusterNode(TestDatabase database, int index, String adminPassword) {
        Path work = Path.of(System.getProperty("kc.test.work.dir", "target/it-work"));
        Path home = builtCopy("node-" + index, database.kind());
        try {
            Files.deleteIfExists(work.resolve("keycloak-node-" + index + ".log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Both nodes sign audit checkpoints with the run's key: the chain of checkpoints must stay linear too.
        List<String> options = new java.util.ArrayList<>(List.of("--cache=ispn", "--cache-stack=jdbc-ping"));
        options.addAll(KeycloakExtension.ServerOptions.checkpointOptions());
        DistributionKeycloakServer node = new DistributionKeycloakServer(home, database, options,
                work.resolve("keycloak-node-" + index + ".log"), adminPassword);
        String inherited = System.getenv().getOrDefault("JAVA_OPTS_APPEND", "");
        node.environment.put("JAVA_OPTS_APPEND", (inherited + " -Djgroups.bind.address=127.0.0.1 -Djgroups.bind.port="
                + freePort()).strip());
        return node;
    }

    /**
     * A separate copy of the distribution under the work dir with our pack installed the way the Dockerfile
     * installs it (providers, realm in data/import, denylist), built for this run's database
     * ({@code kc.test.db}): hard links to {@link #built}, so it costs no copy and no Quarkus build.
     */
    public static Path installedCopy(String name) {
        return builtCopy(name, System.getProperty("kc.test.db", "h2"));
    }

    /** Like {@link #installedCopy}, but real files and not built yet: for tests that run {@code kc.sh build}. */
    public static Path pristineCopy(String name) {
        Path home = Path.of(System.getProperty("kc.test.work.dir", "target/it-work")).resolve(name);
        try {
            deleteRecursively(home);
            copyTree(Path.of(required("keycloak.home")), home, false);
            installPack(home);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return home;
    }

    /** Build-time options of every test server; {@code kc.sh build} takes them once per database kind. */
    static List<String> buildOptions(String kind) {
        return List.of("--db=" + ("postgres".equals(kind) ? "postgres" : "dev-file"), "--health-enabled=true",
                "--metrics-enabled=true");
    }

    private static final String BUILT_STAMP = ".mcias-built";

    /**
     * The distribution with the pack's providers, built once ({@code kc.sh build}) for {@code kind} and kept
     * under {@code kc.test.built.dir} while the provider JARs and build options stay the same, so that every
     * server of every execution starts {@code --optimized} from a hard-link copy of it.
     */
    static Path built(String kind) {
        // One build per kind at a time; another kind (prebuilt in the background) does not wait for it.
        synchronized (BUILD_LOCKS.computeIfAbsent(kind, k -> new Object())) {
            return buildOnce(kind);
        }
    }

    private static final Map<String, Object> BUILD_LOCKS = new ConcurrentHashMap<>();

    /**
     * {@link #built} for a later execution of this run, in the background: {@code kc.sh build} is CPU work the
     * current execution mostly leaves idle. Join the thread before the JVM exits; a build cut off is redone.
     */
    public static Thread buildInBackground(String kind) {
        Thread t = new Thread(() -> built(kind), "kc-build-" + kind);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Path buildOnce(String kind) {
        Path dir = Path.of(System.getProperty("kc.test.built.dir", "target/kc-built")).resolve(kind).toAbsolutePath();
        try {
            StringBuilder stamp = new StringBuilder(kind + "\n" + String.join(" ", buildOptions(kind)) + "\n");
            try (Stream<Path> jars = Files.list(Path.of(required("mcias.providers.dir")))) {
                for (Path jar : (Iterable<Path>) jars.filter(p -> p.toString().endsWith(".jar")).sorted()::iterator) {
                    stamp.append(jar.getFileName()).append(' ').append(Files.size(jar)).append(' ')
                            .append(Files.getLastModifiedTime(jar).toMillis()).append('\n');
                }
            }
            Path stampFile = dir.resolve(BUILT_STAMP);
            if (Files.exists(stampFile) && Files.readString(stampFile).equals(stamp.toString())) {
                return dir;
            }
            deleteRecursively(dir);
            copyTree(Path.of(required("keycloak.home")), dir, false);
            installPack(dir);
            List<String> cmd = new ArrayList<>(List.of(dir.resolve("bin/kc.sh").toString(), "build"));
            cmd.addAll(buildOptions(kind));
            Path log = dir.resolveSibling("kc-build-" + kind + ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process p = pb.start();
            if (!p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("kc.sh build failed; see " + log);
            }
            deleteRecursively(dir.resolve("data"));
            Files.writeString(stampFile, stamp.toString());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A hard-link copy of {@link #built} under the work dir with a fresh data/ (realm import, denylist). */
    static Path builtCopy(String name, String kind) {
        Path built = built(kind);
        Path home = Path.of(System.getProperty("kc.test.work.dir", "target/it-work")).resolve(name);
        try {
            deleteRecursively(home);
            copyTree(built, home, true);
            installData(home);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return home;
    }

    /** The database kind {@code home} was built for, or null if it is not a copy of {@link #built}. */
    static String builtKind(Path home) {
        Path stamp = home.resolve(BUILT_STAMP);
        try {
            return Files.exists(stamp) ? Files.readAllLines(stamp).get(0) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies the distribution without its data/. {@code link}: hard links instead of copies, for a built
     * distribution that an {@code --optimized} server only reads (it writes under data/ alone, which is fresh).
     */
    private static void copyTree(Path from, Path to, boolean link) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path rel = from.relativize(p);
                if (rel.startsWith("data")) {
                    continue;
                }
                Path target = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (link) {
                    Files.createLink(target, p);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** Server on {@code keycloak.home} (set by the build) with a clean {@code data/} and our pack installed. */
    public static DistributionKeycloakServer fromBuild(TestDatabase database, List<String> extraOptions) {
        Path home = builtCopy("server-" + database.kind(), database.kind());
        Path logDir = Path.of(System.getProperty("kc.test.work.dir", "target/it-work"));
        try {
            Files.createDirectories(logDir);
            Files.deleteIfExists(logDir.resolve("keycloak-" + database.kind() + ".log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DistributionKeycloakServer(home, database, extraOptions,
                logDir.resolve("keycloak-" + database.kind() + ".log"));
    }

    private static void installPack(Path home) throws IOException {
        Path providers = home.resolve("providers");
        Files.createDirectories(providers);
        try (Stream<Path> old = Files.list(providers)) {
            for (Path p : (Iterable<Path>) old.filter(p -> p.toString().endsWith(".jar"))::iterator) {
                Files.delete(p);
            }
        }
        try (Stream<Path> jars = Files.list(Path.of(required("mcias.providers.dir")))) {
            for (Path jar : (Iterable<Path>) jars.filter(p -> p.toString().endsWith(".jar"))::iterator) {
                Files.copy(jar, providers.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        installData(home);
    }

    /** The realm to import and the denylist, under data/ (fresh for every server). */
    private static void installData(Path home) throws IOException {
        Path realm = Path.of(required("mcias.realm.file"));
        Path imports = Files.createDirectories(home.resolve("data/import"));
        Files.copy(realm, imports.resolve(realm.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        // The realm's passwordBlacklist policy reads its list from data/password-blacklists/.
        Path lists = Files.createDirectories(home.resolve("data/password-blacklists"));
        try (Stream<Path> files = Files.list(Path.of(required("mcias.password.blacklists.dir")))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, lists.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * A server started the way the image starts it: {@code kc.sh start --optimized --import-realm} on a
     * distribution already built ({@code kc.sh build}), HTTPS only on {@link #baseUrl()}'s port, configured by the
     * environment ({@link #withEnvironment}) and its {@code keycloak.conf} alone: no database, cache or bootstrap
     * admin options are added. {@code adminPassword} is the bootstrap admin's password from that configuration.
     */
    public static DistributionKeycloakServer optimized(Path home, TestDatabase database, Path logFile,
                                                       String adminPassword) {
        DistributionKeycloakServer server = new DistributionKeycloakServer(home, database, List.of(), logFile,
                adminPassword);
        server.optimized = true;
        return server;
    }

    /** Sets an environment variable of the server process for the next start. */
    public DistributionKeycloakServer withEnvironment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Adds a Keycloak option for the next start. */
    public DistributionKeycloakServer withOption(String option) {
        extraOptions.add(option);
        return this;
    }

    /** Drops the options starting with this prefix for the next start. */
    public DistributionKeycloakServer withoutOption(String prefix) {
        extraOptions.removeIf(o -> o.startsWith(prefix));
        return this;
    }

    /** Starts the server, or closes it (process and copy) and rethrows if it does not come up; returns it. */
    public DistributionKeycloakServer startOrClose() {
        try {
            start();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        List<String> cmd = optimized ? optimizedCommand() : developmentCommand();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        if (!optimized) {
            pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", adminUsername());
            pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
        }
        pb.environment().putAll(environment);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0), e);
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        awaitReady();
    }

    private List<String> optimizedCommand() {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/kc.sh").toString(), "start", "--optimized",
                "--import-realm", "--http-host=127.0.0.1", "--https-port=" + httpPort,
                "--http-management-port=" + managementPort, "--cache=local", "--log-console-color=false"));
        cmd.addAll(extraOptions);
        return cmd;
    }

    private List<String> developmentCommand() {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/kc.sh").toString(), "start"));
        if (prebuilt) {
            cmd.add("--optimized");
        } else {
            cmd.addAll(buildOptions(database.kind()));
        }
        cmd.addAll(List.of("--http-enabled=true", "--http-host=127.0.0.1", "--http-port=" + httpPort,
                "--http-management-port=" + managementPort, "--hostname-strict=false",
                "--import-realm", "--log-console-color=false"));
        if (extraOptions.stream().noneMatch(o -> o.startsWith("--cache="))) {
            cmd.add("--cache=local");
        }
        // The same hashing bound on every test server (its default is the CPU count); a test may set its own.
        if (extraOptions.stream().noneMatch(o -> o.startsWith("--spi-password-hashing--argon2id--max-concurrent="))) {
            cmd.add("--spi-password-hashing--argon2id--max-concurrent="
                    + KeycloakExtension.ServerOptions.ARGON2_MAX_CONCURRENT);
        }
        // As every deployment of the pack (run-local.sh, the image): our theme for the master realm (the admin
        // console's login) and for each theme type a realm leaves unset.
        if (extraOptions.stream().noneMatch(o -> o.startsWith("--spi-theme--default="))) {
            cmd.add("--spi-theme--default=" + THEME);
        }
        // The database kind is a build option: an optimized server has it from the build.
        cmd.addAll(database.keycloakOptions(home).stream().filter(o -> !(prebuilt && o.startsWith("--db="))).toList());
        cmd.addAll(extraOptions);
        return cmd;
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        URI ready = URI.create("http://127.0.0.1:" + managementPort + "/health/ready");
        String lastAnswer = "no answer";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + process.exitValue() + "; see " + logFile);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                lastAnswer = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(500);
        }
        threadDump();
        kill();
        throw new IllegalStateException("Keycloak not ready within " + START_TIMEOUT + " (last answer of " + ready
                + ": " + lastAnswer + "); see " + logFile + " (a thread dump at its end)");
    }

    /** Appends the server JVM's threads to its log: a start that hangs says where. */
    private void threadDump() {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        // kc.sh either becomes the JVM or starts it as its child.
        process.descendants().filter(d -> d.info().command().orElse("").endsWith("/java")).findFirst()
                .or(() -> Optional.of(process.toHandle())).ifPresent(jvm -> {
                    try {
                        new ProcessBuilder(jcmd, Long.toString(jvm.pid()), "Thread.print").redirectErrorStream(true)
                                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start()
                                .waitFor(60, TimeUnit.SECONDS);
                    } catch (IOException e) {
                        // no dump then; the timeout is reported anyway
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
    }

    /** Graceful stop (SIGTERM), forced after a timeout. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                kill();
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            return;
        }
        removeShutdownHook();
        process = null;
    }

    /** SIGKILL: the server gets no chance to flush anything. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (Thread.currentThread() != shutdownHook) {
            removeShutdownHook();
        }
        process = null;
    }

    public void restart() {
        stop();
        start();
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // JVM already shutting down: the hook itself is running
        }
    }

    /**
     * Process id of the Keycloak JVM: {@code kc.sh} runs java as its child, and execs a relaunch only after a
     * re-augmentation, so the JVM is either a descendant or the process itself.
     */
    public long pid() {
        return process.descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .map(ProcessHandle::pid).findFirst().orElse(process.pid());
    }

    public Path home() {
        return home;
    }

    @Override
    public String baseUrl() {
        // The optimized server's certificate is for localhost (docker/make-dev-cert.sh).
        return optimized ? "https://localhost:" + httpPort : "http://127.0.0.1:" + httpPort;
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    @Override
    public String adminUsername() {
        return "admin";
    }

    @Override
    public String adminPassword() {
        return adminPassword;
    }

    @Override
    public Path logFile() {
        return logFile;
    }

    public TestDatabase testDatabase() {
        return database;
    }

    @Override
    public String database() {
        return database.kind();
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            database.close();
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set (run through ./mvnw verify)");
        }
        return v;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
