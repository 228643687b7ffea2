package dev.mcias.keycloak.it.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debian's nginx or Caddy, started on 127.0.0.1 with a configuration of the test's own around a snippet from
 * docs/forward-auth.md (nothing of the packages' own services or configurations is used). Neither reaches the
 * network: Caddy runs with its admin endpoint off and automatic HTTPS off.
 */
public final class ForwardAuthProxy implements AutoCloseable {

    public static final Path NGINX = Path.of("/usr/sbin/nginx");
    public static final Path CADDY = Path.of("/usr/bin/caddy");

    private final Process process;
    private final Path dir;
    private final int port;
    private final String log;

    private ForwardAuthProxy(Process process, Path dir, int port, String log) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.log = log;
    }

    /** nginx, one process ({@code master_process off}), the snippet inside the one {@code server} block. */
    public static ForwardAuthProxy nginx(Path dir, int port, String snippet) throws Exception {
        Path tmp = dir.resolve("tmp");
        Files.createDirectories(tmp);
        String conf = """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 128; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %2$s/body;
                    proxy_temp_path %2$s/proxy;
                    fastcgi_temp_path %2$s/fastcgi;
                    uwsgi_temp_path %2$s/uwsgi;
                    scgi_temp_path %2$s/scgi;
                    server {
                        listen 127.0.0.1:%3$d;
                        server_name _;
                %4$s
                    }
                }
                """.formatted(dir, tmp, port, snippet);
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        Process p = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-c", file.toString(), "-e",
                dir.resolve("error.log").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        return started(p, dir, port, "error.log");
    }

    /** Caddy with the snippet as its site block, behind global options that keep it off the network. */
    public static ForwardAuthProxy caddy(Path dir, int port, String snippet) throws Exception {
        Files.createDirectories(dir.resolve("home"));
        String conf = "{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n}\n" + snippet;
        Path file = dir.resolve("Caddyfile");
        Files.writeString(file, conf);
        ProcessBuilder pb = new ProcessBuilder(CADDY.toString(), "run", "--config", file.toString(), "--adapter",
                "caddyfile").redirectErrorStream(true).redirectOutput(dir.resolve("caddy.log").toFile());
        Map<String, String> env = pb.environment();
        env.put("HOME", dir.resolve("home").toString());
        env.put("XDG_DATA_HOME", dir.resolve("home").toString());
        env.put("XDG_CONFIG_HOME", dir.resolve("home").toString());
        return started(pb.start(), dir, port, "caddy.log");
    }

    private static ForwardAuthProxy started(Process p, Path dir, int port, String log) throws Exception {
        ForwardAuthProxy proxy = new ForwardAuthProxy(p, dir, port, log);
        try {
            Await.until("the proxy listens on " + port, Duration.ofSeconds(20), () -> {
                if (!p.isAlive()) {
                    throw new AssertionError("the proxy exited: " + proxy.log());
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (Exception | AssertionError e) {
            proxy.close();
            throw e;
        }
        return proxy;
    }

    public int port() {
        return port;
    }

    /** A request through the proxy with this {@code Host}. */
    public RawHttp.Response get(String host, String path, List<String[]> headers) throws IOException {
        return RawHttp.get(port, host, path, headers);
    }

    public String log() {
        try {
            return Files.readString(dir.resolve(log));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
