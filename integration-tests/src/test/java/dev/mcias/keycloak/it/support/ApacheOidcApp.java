package dev.mcias.keycloak.it.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Apache httpd with Debian's {@code libapache2-mod-auth-openidc}, started on 127.0.0.1 in front of one
 * page: the relying party nobody here wrote. The OIDC part of the configuration is given by the test (it comes
 * from docs/onboarding.md); this class adds only what turns it into a server: modules, port, log, and a page
 * under {@code /private/} that shows what mod_auth_openidc passed on (the user's claims, as Apache's own SSI
 * prints them).
 */
public final class ApacheOidcApp implements AutoCloseable {

    static final String MODULES = "/usr/lib/apache2/modules/";

    private final Path dir;
    private final int port;
    private final Process process;

    private ApacheOidcApp(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** A free port for the app, so its URL can be registered before it starts. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts {@code apache2 -DFOREGROUND} with {@code oidcConfig} (mod_auth_openidc directives and the protected
     * {@code <Location>}) and waits until it answers.
     */
    public static ApacheOidcApp start(Path dir, int port, String oidcConfig) throws Exception {
        // Apache started as root runs its workers as www-data, which must read the page and the configuration.
        Files.createDirectories(dir.resolve("htdocs/private"));
        Files.createDirectories(dir.resolve("run"));
        for (Path p : new Path[] {dir, dir.resolve("htdocs"), dir.resolve("htdocs/private"), dir.resolve("run")}) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(dir.resolve("htdocs/private/index.shtml"), """
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><title>Friends' wiki (Apache mod_auth_openidc)</title></head>
                <body style="font-family: sans-serif; margin: 2em">
                <h1 id="app">Friends' wiki</h1>
                <p>Apache httpd with mod_auth_openidc. Signed in as
                <b id="username"><!--#echo var="OIDC_CLAIM_preferred_username" --></b>
                (<span id="email"><!--#echo var="OIDC_CLAIM_email" --></span>).</p>
                <p>REMOTE_USER: <span id="remote-user"><!--#echo var="REMOTE_USER" --></span></p>
                <p>Access token expires: <span id="expires"><!--#echo var="OIDC_access_token_expires" --></span></p>
                <pre id="access-token" style="white-space: pre-wrap; word-break: break-all; font-size: 8px"><!--#echo var="OIDC_access_token" --></pre>
                </body></html>
                """);
        boolean root = "root".equals(System.getProperty("user.name"));
        String conf = """
                ServerRoot "%1$s"
                ServerName 127.0.0.1
                Listen 127.0.0.1:%2$d
                PidFile "%1$s/run/httpd.pid"
                DefaultRuntimeDir "%1$s/run"
                Mutex file:%1$s/run default
                %3$s
                LoadModule mpm_event_module %4$smod_mpm_event.so
                LoadModule authn_core_module %4$smod_authn_core.so
                LoadModule authz_core_module %4$smod_authz_core.so
                LoadModule authz_user_module %4$smod_authz_user.so
                LoadModule mime_module %4$smod_mime.so
                LoadModule dir_module %4$smod_dir.so
                LoadModule include_module %4$smod_include.so
                LoadModule auth_openidc_module %4$smod_auth_openidc.so
                ErrorLog "%1$s/error.log"
                LogLevel warn auth_openidc:info
                LogFormat "%%h %%u \\"%%r\\" %%>s" short
                CustomLog "%1$s/access.log" short
                TypesConfig /etc/mime.types
                DocumentRoot "%1$s/htdocs"
                <Directory "%1$s/htdocs">
                  Options +Includes
                  AddOutputFilter INCLUDES .shtml
                  DirectoryIndex index.shtml
                  Require all granted
                </Directory>

                # ---- from docs/onboarding.md
                %5$s
                """.formatted(dir, port, root ? "User www-data\nGroup www-data" : "", MODULES, oidcConfig);
        Path confFile = dir.resolve("httpd.conf");
        Files.writeString(confFile, conf);
        Files.setPosixFilePermissions(confFile, PosixFilePermissions.fromString("rw-------"));
        Process p = new ProcessBuilder("/usr/sbin/apache2", "-f", confFile.toString(), "-DFOREGROUND")
                .redirectErrorStream(true).redirectOutput(dir.resolve("console.log").toFile()).start();
        ApacheOidcApp app = new ApacheOidcApp(dir, port, p);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            Await.until("Apache answers on port " + port + " (" + dir + "/console.log)", Duration.ofSeconds(30), () -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException("apache2 exited " + p.exitValue() + ": "
                            + Files.readString(dir.resolve("console.log")) + readOrEmpty(dir.resolve("error.log")));
                }
                try {
                    http.send(HttpRequest.newBuilder(URI.create(app.url("/"))).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (Exception | Error e) {
            app.close();
            throw e;
        }
        return app;
    }

    private static String readOrEmpty(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** mod_auth_openidc's own log lines, for failure messages. */
    public String errorLog() {
        return readOrEmpty(dir.resolve("error.log"));
    }

    public String accessLog() {
        return readOrEmpty(dir.resolve("access.log"));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
