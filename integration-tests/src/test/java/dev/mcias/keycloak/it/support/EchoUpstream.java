package dev.mcias.keycloak.it.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpServer;

/**
 * The app behind a forward-auth proxy: a JDK HTTP server on 127.0.0.1 that trusts {@code Remote-User} like the
 * apps forward-auth is for, and echoes it in a page ({@code #remote-user}, {@code #remote-groups}, ...). It also
 * remembers the headers of each path it served, for tests that send requests without a browser.
 */
public final class EchoUpstream implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, Map<String, List<String>>> seen = new ConcurrentHashMap<>();

    private EchoUpstream(HttpServer server) {
        this.server = server;
    }

    public static EchoUpstream start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        EchoUpstream echo = new EchoUpstream(server);
        server.createContext("/", exchange -> {
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
            echo.seen.put(exchange.getRequestURI().getRawPath(), headers);
            StringBuilder page = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                    + "<title>echo</title></head><body><h1 id=\"app\">Echo</h1>");
            for (String h : List.of("Remote-User", "Remote-Email", "Remote-Name", "Remote-Groups")) {
                List<String> v = headers.get(h);
                page.append("<p>").append(h).append(": <span id=\"").append(h.toLowerCase()).append("\">")
                        .append(v == null ? "" : escape(String.join(" | ", v))).append("</span></p>");
            }
            page.append("<p>path: <span id=\"path\">").append(escape(exchange.getRequestURI().toString()))
                    .append("</span></p></body></html>");
            byte[] body = page.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return echo;
    }

    /** {@code http://127.0.0.1:<port>} */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The headers of the last request for {@code path}, or null if none reached the app. */
    public Map<String, List<String>> seen(String path) {
        return seen.get(path);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
