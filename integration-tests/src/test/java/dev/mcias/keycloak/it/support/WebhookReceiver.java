package dev.mcias.keycloak.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

/**
 * A webhook receiver on 127.0.0.1 (random port) for the tests: keeps every request it gets, answers what
 * {@link #answer} says for it ({@link #HANG} holds the request open until {@link #close} or {@link #releaseHung}),
 * and verifies Standard Webhooks signatures with its own HMAC code, independent of the server's.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** Answer that does not answer: the request hangs until released, past any client timeout. */
    public static final int HANG = -1;

    /** One request as received. */
    public record Delivery(String id, String timestamp, String signature, String contentType, String body,
                           JsonNode json, long receivedAtMillis) {
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<Delivery> received = new CopyOnWriteArrayList<>();
    private volatile Function<Delivery, Integer> answer = d -> 200;
    private volatile CountDownLatch hung = new CountDownLatch(1);
    private volatile String location;

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(pool);
        server.createContext("/hook", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                var h = exchange.getRequestHeaders();
                Delivery d = new Delivery(h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"),
                        h.getFirst("webhook-signature"), h.getFirst("Content-Type"), body, parse(body),
                        System.currentTimeMillis());
                received.add(d);
                int status = answer.apply(d);
                if (status == HANG) {
                    CountDownLatch latch = hung;
                    latch.await(60, TimeUnit.SECONDS);
                    status = 503;
                }
                if (location != null && status >= 300 && status < 400) {
                    exchange.getResponseHeaders().set("Location", location);
                }
                exchange.sendResponseHeaders(status, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    private static JsonNode parse(String body) {
        try {
            return KeycloakApi.JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** The endpoint URL to configure. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** How to answer each request from now on: an HTTP status, or {@link #HANG}. */
    public void answer(Function<Delivery, Integer> f) {
        answer = f;
    }

    /** The {@code Location} of every 3xx answer from now on. */
    public void redirectTo(String url) {
        location = url;
    }

    /** Lets hung requests end (with 503), and makes later HANG answers hang again. */
    public void releaseHung() {
        CountDownLatch old = hung;
        hung = new CountDownLatch(1);
        old.countDown();
    }

    public List<Delivery> received() {
        return new ArrayList<>(received);
    }

    /** Requests carrying the audit record with this id. */
    public List<Delivery> forRecord(String recordId) {
        return received.stream().filter(d -> d.json() != null && recordId.equals(d.json().path("id").asText()))
                .toList();
    }

    /** Requests whose record is of this type and names this user. */
    public List<Delivery> forUser(String type, String userId) {
        return received.stream().filter(d -> d.json() != null && type.equals(d.json().path("type").asText())
                && userId.equals(d.json().path("user_id").asText())).toList();
    }

    /**
     * Standard Webhooks verification, written here from the spec: some {@code v1,} signature in the header equals
     * base64(HMAC-SHA256(decoded secret, id + "." + timestamp + "." + body)), compared in constant time.
     */
    public static boolean verifies(Delivery d, String whsecSecret) {
        try {
            byte[] key = Base64.getDecoder().decode(whsecSecret.substring("whsec_".length()));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] expected = mac.doFinal((d.id() + "." + d.timestamp() + "." + d.body())
                    .getBytes(StandardCharsets.UTF_8));
            for (String sig : d.signature().split(" ")) {
                if (sig.startsWith("v1,") && MessageDigest.isEqual(expected,
                        Base64.getDecoder().decode(sig.substring(3)))) {
                    return true;
                }
            }
            return false;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public void close() {
        hung.countDown();
        server.stop(0);
        pool.shutdownNow();
    }
}
