package dev.mcias.keycloak.audit.checkpoint;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.services.scheduled.ClusterAwareScheduledTaskRunner;
import org.keycloak.timer.TimerProvider;
import org.keycloak.util.JsonSerialization;

import dev.mcias.keycloak.audit.AuditChain;
import dev.mcias.keycloak.audit.AuditChainHeadEntity;
import dev.mcias.keycloak.audit.AuditRecordEntity;
import dev.mcias.keycloak.audit.AuditStore;

/**
 * Writes signed checkpoints: when a realm's chain reaches a multiple of {@code every-records} records (off the
 * request thread, after the record committed), and every {@code interval-seconds} for each realm with records
 * not yet covered (a cluster-aware scheduled task: one node at a time). A checkpoint is only signed over records
 * that verify from the previous checkpoint; it is written under the realm's chain-head lock (held only for a few
 * reads and one insert), so it never interleaves with an append, a purge or another node's checkpoint.
 */
public final class Checkpointer {

    private static final Logger LOG = Logger.getLogger(Checkpointer.class);
    static final String TASK_NAME = "mcias-audit-checkpoint";

    private final CheckpointKeys keys;
    private final long everyRecords;
    private final long intervalSeconds;
    private final Logger auditLog;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private volatile ExecutorService executor;
    private volatile KeycloakSessionFactory factory;

    public Checkpointer(CheckpointKeys keys, long everyRecords, long intervalSeconds, Logger auditLog) {
        this.keys = Objects.requireNonNull(keys);
        this.everyRecords = everyRecords;
        this.intervalSeconds = intervalSeconds;
        this.auditLog = auditLog;
    }

    public CheckpointKeys keys() {
        return keys;
    }

    public long everyRecords() {
        return everyRecords;
    }

    public long intervalSeconds() {
        return intervalSeconds;
    }

    /** Starts the worker and, once Keycloak's schema and import are done, the scheduled task. */
    public void start(KeycloakSessionFactory f) {
        this.factory = f;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mcias-audit-checkpoint");
            t.setDaemon(true);
            return t;
        });
        f.register(event -> {
            if (event instanceof PostMigrationEvent) {
                long interval = intervalSeconds * 1000L;
                KeycloakModelUtils.runJobInTransaction(f, s -> s.getProvider(TimerProvider.class).schedule(
                        new ClusterAwareScheduledTaskRunner(f, new AuditCheckpointTask(this), interval), interval, TASK_NAME));
            }
        });
    }

    public void stop() {
        ExecutorService e = executor;
        if (e != null) {
            e.shutdownNow();
        }
    }

    /** Called after a record committed: at every {@code every-records}-th seq, a checkpoint (off this thread). */
    public void committed(AuditRecordEntity record) {
        if (record == null || record.getSeq() % everyRecords != 0) {
            return;
        }
        String realmId = record.getRealmId();
        ExecutorService e = executor;
        if (e == null || !pending.add(realmId)) {
            return;
        }
        try {
            e.execute(() -> {
                pending.remove(realmId);
                runFor(realmId);
            });
        } catch (RejectedExecutionException shuttingDown) {
            pending.remove(realmId);
        }
    }

    /** One realm, in a transaction of its own; failures (a lost race with another node) are logged, not thrown. */
    void runFor(String realmId) {
        try {
            KeycloakModelUtils.runJobInTransaction(factory, s -> checkpoint(s, realmId));
        } catch (RuntimeException e) {
            LOG.debugf(e, "audit: no checkpoint for realm %s this time", realmId);
        }
    }

    /** The scheduled pass: every realm with records newer than its last checkpoint. */
    void runAll(KeycloakSession session) {
        List<String> realms = em(session).createQuery("select h.realmId from AuditChainHeadEntity h", String.class)
                .getResultList();
        for (String realmId : realms) {
            runFor(realmId);
        }
    }

    static EntityManager em(KeycloakSession session) {
        return session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    static AuditCheckpointEntity latest(EntityManager em, String realmId) {
        List<AuditCheckpointEntity> l = em.createQuery("select c from AuditCheckpointEntity c where c.realmId = :realm"
                + " order by c.index desc", AuditCheckpointEntity.class).setParameter("realm", realmId)
                .setMaxResults(1).getResultList();
        return l.isEmpty() ? null : l.get(0);
    }

    /**
     * Signs the realm's newest committed record, if it is newer than the last checkpoint and the records since
     * then verify; returns the checkpoint (null when none was due or the records do not verify).
     */
    public AuditCheckpointEntity checkpoint(KeycloakSession session, String realmId) {
        EntityManager em = em(session);
        AuditChainHeadEntity head = em.find(AuditChainHeadEntity.class, realmId);
        if (head == null || head.getLastSeq() == 0) {
            return null;
        }
        long seq = head.getLastSeq();
        String hash = head.getLastHash();
        AuditCheckpointEntity latest = latest(em, realmId);
        if (latest != null && latest.getSeq() >= seq) {
            return null;
        }
        String latestId = latest == null ? null : latest.getId();
        long from;
        String prev;
        if (latest != null && latest.getSeq() + 1 >= head.getBaseSeq()) {
            from = latest.getSeq() + 1;
            prev = latest.getRecordHash();
        } else {
            from = head.getBaseSeq();
            prev = head.getBaseHash();
        }
        String broken = verify(session, realmId, from, prev, seq, hash);
        if (broken != null) {
            LOG.errorf("audit: realm %s: no checkpoint signed, the records since the last one do not verify: %s",
                    realmId, broken);
            return null;
        }
        // The decisive reads again, under the head's lock: nothing changed since the check, nobody else signed.
        em.clear();
        em.find(AuditChainHeadEntity.class, realmId, LockModeType.PESSIMISTIC_WRITE);
        AuditCheckpointEntity latestNow = latest(em, realmId);
        if (!Objects.equals(latestId, latestNow == null ? null : latestNow.getId())) {
            return null;
        }
        List<String> hashNow = em.createQuery("select r.hash from AuditRecordEntity r where r.realmId = :realm"
                + " and r.seq = :seq", String.class).setParameter("realm", realmId).setParameter("seq", seq)
                .getResultList();
        if (hashNow.size() != 1 || !hashNow.get(0).equals(hash)) {
            LOG.errorf("audit: realm %s: record %d changed while being checkpointed; no checkpoint signed",
                    realmId, seq);
            return null;
        }
        AuditCheckpointEntity c = new AuditCheckpointEntity();
        c.setId(UUID.randomUUID().toString());
        c.setRealmId(realmId);
        c.setIndex(latestNow == null ? 1 : latestNow.getIndex() + 1);
        c.setSeq(seq);
        c.setRecordHash(hash);
        c.setTime(Time.currentTimeMillis());
        c.setKeyId(keys.signing().id());
        c.setPrevHash(latestNow == null ? Checkpoints.GENESIS : latestNow.getHash());
        byte[] canonical = Checkpoints.canonical(c);
        c.setHash(Checkpoints.hash(canonical));
        c.setSignature(keys.sign(canonical));
        em.persist(c);
        em.flush();
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                log(c);
            }

            @Override
            protected void rollbackImpl() {
            }
        });
        return c;
    }

    /** null when records {@code from..through} are all there, linked from {@code prev}, unaltered, ending in {@code lastHash}. */
    static String verify(KeycloakSession session, String realmId, long from, String prev, long through,
                         String lastHash) {
        AuditStore store = new AuditStore(session);
        long expected = from;
        String expectedPrev = prev;
        while (expected <= through) {
            List<AuditRecordEntity> batch = store.find(realmId, AuditStore.Query.oldestFirst(500)
                    .afterSeq(expected - 1).beforeSeq(through + 1).build());
            if (batch.isEmpty()) {
                return "record " + expected + " is missing";
            }
            for (AuditRecordEntity r : batch) {
                if (r.getSeq() != expected) {
                    return "record " + expected + " is missing";
                }
                if (!expectedPrev.equals(r.getPrevHash())) {
                    return "record " + expected + ": previous-hash link broken";
                }
                if (!AuditChain.hash(r).equals(r.getHash())) {
                    return "record " + expected + ": content altered";
                }
                expectedPrev = r.getHash();
                expected++;
            }
            em(session).clear();
        }
        return expectedPrev.equals(lastHash) ? null : "record " + through + " does not match the chain head";
    }

    private void log(AuditCheckpointEntity c) {
        if (auditLog != null && auditLog.isInfoEnabled()) {
            try {
                auditLog.info(JsonSerialization.writeValueAsString(Checkpoints.line(c)));
            } catch (Exception e) {
                LOG.warn("cannot write audit checkpoint log line", e);
            }
        }
    }
}
