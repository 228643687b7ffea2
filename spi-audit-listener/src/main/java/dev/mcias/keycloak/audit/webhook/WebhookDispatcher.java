package dev.mcias.keycloak.audit.webhook;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.connections.httpclient.HttpClientProvider;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.KeycloakTransaction;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.scheduled.ClusterAwareScheduledTaskRunner;
import org.keycloak.timer.TimerProvider;

import dev.mcias.keycloak.audit.AuditEventListenerProviderFactory;

/**
 * Delivers the webhook outbox: owned by the {@code mcias-audit} listener factory (its options are that provider's,
 * {@code --spi-events-listener--mcias-audit--webhook-*}). Each attempt claims its row with a conditional UPDATE in a
 * short transaction, posts outside any transaction, and records the outcome in another one; a failed attempt is
 * retried with exponential backoff and jitter until the attempt or age bound, then the row is marked failed; a
 * destination the policy refuses ({@link WebhookDestinations}) is marked failed at once, without a connection. A
 * cluster-aware poller picks up rows nobody is working on (after a restart, a crash, another node's death, or a
 * full local queue) and purges finished rows after their retention.
 */
public final class WebhookDispatcher {

    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    /** Bound of the in-memory queue of hints; rows beyond it wait for the poller. */
    static final int MAX_QUEUED = 10_000;
    static final int POLL_BATCH = 500;

    private final WebhookSecrets secrets;
    private final Duration timeout;
    private final int maxAttempts;
    private final long maxAgeMillis;
    private final Backoff backoff;
    private final long pollIntervalMillis;
    private final long retentionMillis;
    private final long failedRetentionMillis;
    private final int threads;
    private final WebhookDestinations destinations;
    private volatile WebhookDestinations.Resolver resolver = WebhookDestinations.SYSTEM;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private volatile KeycloakSessionFactory factory;
    private volatile ScheduledThreadPoolExecutor executor;
    /** Per attempt: our timeouts, no redirects; everything else (proxy, truststore) is Keycloak's client's. */
    private final RequestConfig requestConfig;
    private volatile boolean closed;

    private WebhookDispatcher(Config.Scope c) {
        String file = c.get("webhookSecretFile");
        secrets = file == null || file.isBlank() ? WebhookSecrets.none() : WebhookSecrets.fromFile(Path.of(file));
        timeout = Duration.ofMillis(positive(c.getLong("webhookTimeoutMillis", 10_000L), "webhook-timeout-millis"));
        maxAttempts = (int) positive(c.getInt("webhookMaxAttempts", 10), "webhook-max-attempts");
        maxAgeMillis = positive(c.getLong("webhookMaxAgeSeconds", 86_400L), "webhook-max-age-seconds") * 1000L;
        backoff = new Backoff(positive(c.getLong("webhookBackoffInitialMillis", 10_000L), "webhook-backoff-initial-millis"),
                positive(c.getLong("webhookBackoffMaxMillis", 3_600_000L), "webhook-backoff-max-millis"));
        pollIntervalMillis = positive(c.getLong("webhookPollIntervalSeconds", 30L), "webhook-poll-interval-seconds") * 1000L;
        retentionMillis = positive(c.getLong("webhookRetentionDays", 7L), "webhook-retention-days") * 86_400_000L;
        failedRetentionMillis = positive(c.getLong("webhookFailedRetentionDays", 30L), "webhook-failed-retention-days")
                * 86_400_000L;
        threads = (int) positive(c.getInt("webhookThreads", 2), "webhook-threads");
        destinations = WebhookDestinations.parse(c.get("webhookAllowedDestinations"));
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        requestConfig = RequestConfig.custom().setConnectTimeout(millis).setSocketTimeout(millis)
                .setConnectionRequestTimeout(millis).setRedirectsEnabled(false).build();
    }

    private static long positive(long v, String name) {
        if (v < 1) {
            throw new IllegalArgumentException("audit webhooks: " + name + " must be positive");
        }
        return v;
    }

    /** Reads the options; a broken secret file or option stops startup (naming the option, never a secret). */
    public static WebhookDispatcher fromConfig(Config.Scope config) {
        WebhookDispatcher d = new WebhookDispatcher(config);
        if (d.secrets.configured()) {
            LOG.infof("audit webhooks: secrets from the webhook-secret-file; realms turn webhooks on with the %s"
                    + " realm attribute", WebhookRealmConfig.URL_ATTRIBUTE);
            if (d.destinations.allowsInternal()) {
                LOG.infof("audit webhooks: internal destinations allowed: %s", d.destinations);
            }
        }
        return d;
    }

    /** The options, for the listener factory's metadata. */
    public static void addOptions(ProviderConfigurationBuilder b) {
        b.property().name("webhookSecretFile").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("File with webhook signing secrets, lines <realm>:whsec_<base64> or *:whsec_<base64>;"
                        + " unset: no webhooks are delivered.").add()
                .property().name("webhookTimeoutMillis").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Connect and response timeout of one delivery attempt.").defaultValue(10_000).add()
                .property().name("webhookMaxAttempts").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Attempts before a delivery is marked failed.").defaultValue(10).add()
                .property().name("webhookMaxAgeSeconds").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Age after which a delivery is not retried any more (marked failed).").defaultValue(86_400).add()
                .property().name("webhookBackoffInitialMillis").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Delay after the first failed attempt; doubles per attempt, with jitter.").defaultValue(10_000)
                .add()
                .property().name("webhookBackoffMaxMillis").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Longest delay between attempts.").defaultValue(3_600_000).add()
                .property().name("webhookPollIntervalSeconds").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("How often one node looks for pending deliveries nobody works on.").defaultValue(30).add()
                .property().name("webhookRetentionDays").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Delivered outbox rows are deleted after this many days.").defaultValue(7).add()
                .property().name("webhookFailedRetentionDays").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Failed outbox rows are deleted after this many days.").defaultValue(30).add()
                .property().name("webhookThreads").type(ProviderConfigProperty.INTEGER_TYPE)
                .helpText("Delivery threads per node.").defaultValue(2).add()
                .property().name("webhookAllowedDestinations").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Internal destinations webhooks may reach (comma list of IP addresses, CIDR ranges and"
                        + " exact host names, e.g. 127.0.0.1,192.168.1.10/32,hub.home.arpa); unset: deliveries to"
                        + " loopback, private, link-local and other non-public addresses are refused.").add();
    }

    /** The dispatcher of the running server, or null (listener not installed). */
    public static WebhookDispatcher of(KeycloakSession session) {
        return session.getKeycloakSessionFactory().getProviderFactory(EventListenerProvider.class,
                AuditEventListenerProviderFactory.ID) instanceof AuditEventListenerProviderFactory f ? f.webhooks() : null;
    }

    /**
     * Starts the delivery threads, schedules the poller once the schema exists, and removes a realm's rows with the
     * realm.
     */
    public void start(KeycloakSessionFactory f) {
        this.factory = f;
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, "mcias-audit-webhook");
            t.setDaemon(true);
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        executor = ex;
        f.register(event -> {
            if (event instanceof PostMigrationEvent) {
                KeycloakModelUtils.runJobInTransaction(f, s -> s.getProvider(TimerProvider.class).schedule(
                        new ClusterAwareScheduledTaskRunner(f, new AuditWebhookPoller(this), pollIntervalMillis),
                        pollIntervalMillis, AuditWebhookPoller.TASK_NAME));
            } else if (event instanceof RealmModel.RealmRemovedEvent removed) {
                new WebhookOutbox(removed.getKeycloakSession()).deleteRealm(removed.getRealm().getId());
            }
        });
    }

    /** Stops the threads; rows in flight keep their claim until it runs out, then any node retries them. */
    public void close() {
        closed = true;
        ScheduledThreadPoolExecutor ex = executor;
        if (ex != null) {
            ex.shutdownNow();
            try {
                ex.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether webhooks can be sent at all: a webhook-secret-file is configured (realms still opt in). */
    public boolean enabled() {
        return secrets.configured();
    }

    /** A realm's webhook can work: warns once per realm and problem otherwise (no secret, rejected URLs). */
    boolean ready(RealmModel realm, WebhookRealmConfig cfg) {
        if (!cfg.rejected().isEmpty() && warned.add(realm.getId() + ":urls:" + cfg.rejected().size())) {
            LOG.warnf("audit webhooks: realm %s: %d endpoint(s) in %s ignored (https only, http only to the loopback"
                    + " interface, at most %d)", realm.getName(), cfg.rejected().size(), WebhookRealmConfig.URL_ATTRIBUTE,
                    WebhookRealmConfig.MAX_URLS);
        }
        if (secrets.keys(realm.getName()).isEmpty()) {
            if (warned.add(realm.getId() + ":secret")) {
                LOG.warnf("audit webhooks: realm %s sets %s but webhook-secret-file has no secret for it; nothing is"
                        + " sent", realm.getName(), WebhookRealmConfig.URL_ATTRIBUTE);
            }
            return false;
        }
        return true;
    }

    /**
     * A participant for Keycloak's transaction manager ({@code enlistAfterCompletion}) that hands the outbox rows in
     * {@code ids} to the delivery threads once the transaction that wrote them has committed. The list is read then,
     * so it may still be filled after enlisting (by an append in the prepare phase). On rollback nothing is sent;
     * rows whose hint is lost (a crash, a full queue) are found by the poller.
     */
    public KeycloakTransaction afterCommit(List<String> ids) {
        return new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                ids.forEach(id -> submit(id, 0));
            }

            @Override
            protected void rollbackImpl() {
            }
        };
    }

    /** Queues an attempt on this node (a hint: the row's claim decides who delivers). */
    void submit(String id, long delayMillis) {
        ScheduledThreadPoolExecutor ex = executor;
        if (ex == null || ex.isShutdown() || queued.size() >= MAX_QUEUED || !queued.add(id)) {
            return;
        }
        try {
            ex.schedule(() -> {
                queued.remove(id);
                try {
                    deliver(id);
                } catch (RuntimeException e) {
                    LOG.warnf("audit webhooks: delivery %s: %s", id, e.getClass().getSimpleName());
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            queued.remove(id);
        }
    }

    /** What one attempt is about, read when the row is claimed. */
    private record Job(String id, String url, String payload, List<byte[]> keys, CloseableHttpClient http) {
    }

    /** One attempt: claim, post, record the outcome; schedules the next attempt on this node if there is one. */
    void deliver(String id) {
        String token = UUID.randomUUID().toString();
        long now = System.currentTimeMillis();
        Job[] job = {null};
        KeycloakModelUtils.runJobInTransaction(factory, s -> {
            WebhookOutbox outbox = new WebhookOutbox(s);
            WebhookOutboxEntity o = outbox.claim(id, token, now, now + lease());
            if (o == null) {
                return;
            }
            RealmModel realm = s.realms().getRealm(o.getRealmId());
            if (realm == null) {
                outbox.remove(o);
                return;
            }
            if (!WebhookRealmConfig.of(realm).urls().contains(o.getUrl())) {
                // The endpoint was removed from the realm since: never send it records any more.
                finish(o, WebhookOutboxEntity.FAILED, now, null, "endpoint no longer configured");
                return;
            }
            job[0] = new Job(o.getId(), o.getUrl(), o.getPayload(), secrets.keys(realm.getName()),
                    s.getProvider(HttpClientProvider.class).getHttpClient());
        });
        if (job[0] == null) {
            return;
        }
        Outcome outcome = guarded(job[0].url(), () -> post(job[0]));
        long[] retryIn = {-1};
        KeycloakModelUtils.runJobInTransaction(factory, s -> {
            WebhookOutboxEntity o = new WebhookOutbox(s).held(id, token);
            if (o != null) {
                retryIn[0] = record(o, outcome, System.currentTimeMillis());
            }
        });
        if (retryIn[0] >= 0) {
            submit(id, retryIn[0]);
        }
    }

    /** Longer than any attempt can take, so a live attempt never loses its row to another node. */
    long lease() {
        return 2 * timeout.toMillis() + 5_000L;
    }

    /**
     * Result of one HTTP attempt: the status (0 when none came back) and a short reason when it failed; refused:
     * the destination policy stopped it (final, no retry).
     */
    record Outcome(int status, String error, boolean refused) {
        Outcome(int status, String error) {
            this(status, error, false);
        }

        boolean ok() {
            return error == null;
        }
    }

    /**
     * What the deliveries endpoint shows for a refused destination. The same text whether the host is internal,
     * does not resolve, or was found internal only after the attempt, so realm admins learn nothing about the
     * server's network from it; the server log tells the operator which.
     */
    static final String REFUSED_ERROR = "destination not allowed";
    static final Outcome REFUSED = new Outcome(0, REFUSED_ERROR, true);

    /**
     * The destination policy around one attempt. Before: the host is resolved as the HTTP client will resolve it
     * (same InetAddress lookup, so the client normally gets the same answer from the JVM's DNS cache) and the
     * attempt is refused, with no connection, if an address is not allowed. After: resolved once more; if the
     * answer has become internal (DNS rebinding: the cache entry ran out between the check and the connect) the
     * attempt's outcome is withheld and the delivery refused, so it reveals nothing about what answered.
     */
    Outcome guarded(String url, java.util.function.Supplier<Outcome> send) {
        String host;
        try {
            host = URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            host = null;
        }
        WebhookDestinations.Verdict before = destinations.check(host, resolver);
        if (before != WebhookDestinations.Verdict.ALLOWED) {
            refusedLog(url, before, false);
            return REFUSED;
        }
        Outcome outcome = send.get();
        // Only an internal answer counts here: a lookup failing now (a resolver hiccup) says nothing about where
        // the request went, and must not turn a delivered message into a failed one.
        WebhookDestinations.Verdict after = destinations.check(host, resolver);
        if (after == WebhookDestinations.Verdict.INTERNAL) {
            refusedLog(url, after, true);
            return REFUSED;
        }
        return outcome;
    }

    /** Tells the operator why (once per endpoint and reason per node, then at debug: realm admins choose URLs). */
    private void refusedLog(String url, WebhookDestinations.Verdict verdict, boolean afterAttempt) {
        String why = verdict == WebhookDestinations.Verdict.UNRESOLVED ? "its host does not resolve"
                : "it resolves to an internal address not in webhook-allowed-destinations";
        String when = afterAttempt ? " after the attempt (DNS answer changed during it; outcome withheld)" : "";
        String key = "refused:" + WebhookRealmConfig.origin(url) + ":" + verdict + ":" + afterAttempt;
        if (warned.size() < 10_000 && warned.add(key)) {
            LOG.warnf("audit webhooks: delivery to %s refused%s: %s", WebhookRealmConfig.origin(url), when, why);
        } else {
            LOG.debugf("audit webhooks: delivery to %s refused%s: %s", WebhookRealmConfig.origin(url), when, why);
        }
    }

    /** For tests: resolve hosts with this instead of the system resolver. */
    void resolver(WebhookDestinations.Resolver r) {
        this.resolver = r;
    }

    /**
     * One POST through Keycloak's HTTP client ({@link HttpClientProvider}: its proxy mappings and truststore apply),
     * with this dispatcher's timeouts and without following redirects (a 3xx is a failed attempt, so an endpoint
     * cannot send records elsewhere).
     */
    private Outcome post(Job job) {
        if (job.keys().isEmpty()) {
            return new Outcome(0, "no secret for the realm in webhook-secret-file");
        }
        long ts = System.currentTimeMillis() / 1000L;
        HttpPost req = new HttpPost(URI.create(job.url()));
        req.setConfig(requestConfig);
        req.setHeader("User-Agent", "mcias-audit-webhook");
        req.setHeader("webhook-id", job.id());
        req.setHeader("webhook-timestamp", Long.toString(ts));
        req.setHeader("webhook-signature", WebhookSigner.header(job.keys(), job.id(), ts, job.payload()));
        req.setEntity(new StringEntity(job.payload(), ContentType.APPLICATION_JSON));
        // The answer's body is never read: closing the response without consuming it drops the connection (and a
        // receiver that trickles a body).
        try (CloseableHttpResponse r = job.http().execute(req)) {
            int code = r.getStatusLine().getStatusCode();
            return code >= 200 && code < 300 ? new Outcome(code, null) : new Outcome(code, "HTTP " + code);
        } catch (InterruptedIOException e) {
            if (Thread.currentThread().isInterrupted()) {
                return new Outcome(0, "interrupted (shutdown)");
            }
            return new Outcome(0, "timeout"); // connect, socket or pool timeout
        } catch (ConnectException e) {
            return new Outcome(0, "connection failed");
        } catch (IOException e) {
            return new Outcome(0, "i/o error: " + e.getClass().getSimpleName());
        }
    }

    /** Applies an attempt's outcome; returns the delay before the next attempt, or -1 when the row is done. */
    long record(WebhookOutboxEntity o, Outcome outcome, long now) {
        o.setAttempts(o.getAttempts() + 1);
        o.setLastAttemptAt(now);
        o.setLastStatus(outcome.status() == 0 ? null : outcome.status());
        if (outcome.refused()) {
            // Final at once: retrying would only repeat the refusal (or, after a DNS change, probe again).
            finish(o, WebhookOutboxEntity.FAILED, now, null, REFUSED_ERROR);
            WebhookMetrics.count("refused");
            return -1;
        }
        if (outcome.ok()) {
            finish(o, WebhookOutboxEntity.DELIVERED, now, outcome.status(), null);
            WebhookMetrics.count(WebhookOutboxEntity.DELIVERED);
            return -1;
        }
        long delay = backoff.delay(o.getAttempts());
        if (o.getAttempts() >= maxAttempts || now + delay - o.getCreatedAt() > maxAgeMillis) {
            finish(o, WebhookOutboxEntity.FAILED, now, o.getLastStatus(), outcome.error());
            WebhookMetrics.count(WebhookOutboxEntity.FAILED);
            LOG.warnf("audit webhooks: delivery %s of record %d to %s failed after %d attempts (%s)", o.getId(),
                    o.getRecordSeq(), WebhookRealmConfig.origin(o.getUrl()), o.getAttempts(), outcome.error());
            return -1;
        }
        WebhookMetrics.count("retried");
        o.setLastError(outcome.error());
        o.setNextAttemptAt(now + delay);
        o.setClaimedUntil(0);
        o.setClaimToken(null);
        return delay;
    }

    private static void finish(WebhookOutboxEntity o, String status, long now, Integer httpStatus, String error) {
        o.setStatus(status);
        o.setDoneAt(now);
        o.setLastStatus(httpStatus);
        o.setLastError(error);
        o.setClaimedUntil(0);
        o.setClaimToken(null);
    }

    /** The poller's pass (one node at a time): queue due rows nobody holds, purge finished rows past retention. */
    void poll(KeycloakSession session) {
        if (closed) {
            return; // shutting down: the database may be going away
        }
        WebhookOutbox outbox = new WebhookOutbox(session);
        long now = System.currentTimeMillis();
        for (String id : outbox.due(now, POLL_BATCH)) {
            submit(id, 0);
        }
        outbox.purge(WebhookOutboxEntity.DELIVERED, now - retentionMillis);
        outbox.purge(WebhookOutboxEntity.FAILED, now - failedRetentionMillis);
    }

    Backoff backoff() {
        return backoff;
    }

    int maxAttempts() {
        return maxAttempts;
    }
}
