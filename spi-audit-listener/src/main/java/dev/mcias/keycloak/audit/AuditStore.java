package dev.mcias.keycloak.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.TypedQuery;
import org.keycloak.common.util.Time;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.utils.KeycloakModelUtils;

import dev.mcias.keycloak.audit.webhook.WebhookDispatcher;
import dev.mcias.keycloak.audit.webhook.WebhookOutbox;

/** Appends to, reads, verifies and purges the audit chain of a realm in Keycloak's database. */
public final class AuditStore {

    static final int BATCH = 500;

    private final KeycloakSession session;
    private final EntityManager em;
    /** Outbox rows this store wrote with its records, handed to the delivery threads after commit. */
    private final List<String> webhookIds = new ArrayList<>();

    public AuditStore(KeycloakSession session) {
        this.session = session;
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    /**
     * Appends {@code r} (all fields but id, seq and hashes set) to its realm's chain. Locks the realm's head row
     * until the surrounding transaction ends, so appends are linear even across nodes.
     */
    public AuditRecordEntity append(AuditRecordEntity r) {
        link(lockHead(r.getRealmId()), r);
        em.flush();
        return r;
    }

    /**
     * Hands the webhook outbox rows written by this store's appends to the delivery threads once the session's
     * transaction has committed. Call it before the transaction starts committing (Keycloak takes no after-commit
     * participant after that), e.g. when the append is enlisted for the prepare phase; no-op without webhooks.
     */
    public void deliverWebhooksAfterCommit() {
        WebhookDispatcher d = WebhookDispatcher.of(session);
        if (d != null && d.enabled()) {
            session.getTransactionManager().enlistAfterCompletion(d.afterCommit(webhookIds));
        }
    }

    /** Where a realm's chain ends: the last record's seq and hash (the next record links to them). */
    public record Head(long lastSeq, String lastHash) {
    }

    /**
     * Appends {@code records} in their order, like {@link #append} each, with fewer statements: the group commit's
     * batch. Per realm, when {@code known} holds the head this node last wrote, one conditional UPDATE both locks
     * the head row and proves nobody has appended since (it matches only that exact seq and hash); otherwise
     * (first batch, or another node or an in-transaction append moved the head) the head is locked and read as in
     * {@link #append}. Then the records are persisted and flushed together. The caller orders records by realm, so
     * every writer locks heads in the same order, and remembers the returned heads only once the transaction has
     * committed.
     */
    public Map<String, Head> appendAll(List<AuditRecordEntity> records, Map<String, Head> known) {
        Map<String, Head> heads = new HashMap<>();
        for (List<AuditRecordEntity> run : runsByRealm(records)) {
            String realmId = run.get(0).getRealmId();
            heads.put(realmId, linkRun(realmId, run, known.get(realmId)));
        }
        for (AuditRecordEntity r : records) {
            em.persist(r);
            webhookIds.addAll(WebhookOutbox.enqueue(session, em, r));
        }
        em.flush();
        return heads;
    }

    /** Links {@code run} to its realm's chain and moves the head past it; returns where the chain then ends. */
    private Head linkRun(String realmId, List<AuditRecordEntity> run, Head known) {
        if (known != null) {
            Head end = chain(run, known);
            int moved = em.createQuery("update AuditChainHeadEntity h set h.lastSeq = :seq, h.lastHash = :hash"
                            + " where h.realmId = :realm and h.lastSeq = :knownSeq and h.lastHash = :knownHash")
                    .setParameter("seq", end.lastSeq()).setParameter("hash", end.lastHash())
                    .setParameter("realm", realmId).setParameter("knownSeq", known.lastSeq())
                    .setParameter("knownHash", known.lastHash()).executeUpdate();
            if (moved == 1) {
                return end;
            }
        }
        AuditChainHeadEntity head = lockHead(realmId);
        Head end = chain(run, new Head(head.getLastSeq(), head.getLastHash()));
        head.setLastSeq(end.lastSeq());
        head.setLastHash(end.lastHash());
        return end;
    }

    /** {@code records}, ordered by realm, as consecutive runs of one realm each. */
    static List<List<AuditRecordEntity>> runsByRealm(List<AuditRecordEntity> records) {
        List<List<AuditRecordEntity>> runs = new ArrayList<>();
        int from = 0;
        while (from < records.size()) {
            String realmId = records.get(from).getRealmId();
            int to = from;
            while (to < records.size() && realmId.equals(records.get(to).getRealmId())) {
                to++;
            }
            runs.add(records.subList(from, to));
            from = to;
        }
        return runs;
    }

    /** Links {@code run} after {@code head} (ids, seqs, hashes); returns where the chain then ends. */
    static Head chain(List<AuditRecordEntity> run, Head head) {
        long seq = head.lastSeq();
        String prev = head.lastHash();
        for (AuditRecordEntity r : run) {
            r.setId(AuditIds.next());
            r.setSeq(++seq);
            r.setPrevHash(prev);
            r.setHash(AuditChain.hash(r));
            prev = r.getHash();
        }
        return new Head(seq, prev);
    }

    /** Gives {@code r} the next place in the chain whose (locked) head is {@code head}, and persists it. */
    private void link(AuditChainHeadEntity head, AuditRecordEntity r) {
        r.setId(AuditIds.next());
        r.setSeq(head.getLastSeq() + 1);
        r.setPrevHash(head.getLastHash());
        r.setHash(AuditChain.hash(r));
        em.persist(r);
        head.setLastSeq(r.getSeq());
        head.setLastHash(r.getHash());
        webhookIds.addAll(WebhookOutbox.enqueue(session, em, r));
    }

    private AuditChainHeadEntity lockHead(String realmId) {
        AuditChainHeadEntity head = em.find(AuditChainHeadEntity.class, realmId, LockModeType.PESSIMISTIC_WRITE);
        if (head != null) {
            return head;
        }
        // First record of the realm: create the head in its own transaction (losing a race to another node is
        // fine), then lock it here.
        try {
            KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), s -> {
                EntityManager other = s.getProvider(JpaConnectionProvider.class).getEntityManager();
                if (other.find(AuditChainHeadEntity.class, realmId) == null) {
                    AuditChainHeadEntity h = new AuditChainHeadEntity();
                    h.setRealmId(realmId);
                    h.setLastSeq(0);
                    h.setLastHash(AuditChain.GENESIS);
                    h.setBaseSeq(1);
                    h.setBaseHash(AuditChain.GENESIS);
                    other.persist(h);
                }
            });
        } catch (RuntimeException lostRace) {
            // another request created it
        }
        head = em.find(AuditChainHeadEntity.class, realmId, LockModeType.PESSIMISTIC_WRITE);
        if (head == null) {
            throw new IllegalStateException("audit chain head missing for realm " + realmId);
        }
        return head;
    }

    /**
     * Filters of the read API, built from named parts ({@code Query.newestFirst(100).type("LOGIN").build()});
     * an unset filter means "any".
     */
    public static final class Query {
        private final String type;
        private final String userId;
        private final String clientId;
        private final String outcome;
        private final Long from;
        private final Long to;
        private final Long beforeSeq;
        private final Long afterSeq;
        private final int limit;
        private final boolean ascending;

        private Query(Builder b) {
            type = b.type;
            userId = b.userId;
            clientId = b.clientId;
            outcome = b.outcome;
            from = b.from;
            to = b.to;
            beforeSeq = b.beforeSeq;
            afterSeq = b.afterSeq;
            limit = b.limit;
            ascending = b.ascending;
        }

        /** At most {@code limit} records, highest seq first. */
        public static Builder newestFirst(int limit) {
            return new Builder(limit, false);
        }

        /** At most {@code limit} records, lowest seq first. */
        public static Builder oldestFirst(int limit) {
            return new Builder(limit, true);
        }

        public String type() { return type; }
        public String userId() { return userId; }
        public String clientId() { return clientId; }
        public String outcome() { return outcome; }
        /** Earliest time, inclusive (epoch ms). */
        public Long from() { return from; }
        /** Latest time, exclusive (epoch ms). */
        public Long to() { return to; }
        /** Only records with a lower seq. */
        public Long beforeSeq() { return beforeSeq; }
        /** Only records with a higher seq. */
        public Long afterSeq() { return afterSeq; }
        public int limit() { return limit; }
        public boolean ascending() { return ascending; }

        public static final class Builder {
            private String type;
            private String userId;
            private String clientId;
            private String outcome;
            private Long from;
            private Long to;
            private Long beforeSeq;
            private Long afterSeq;
            private final int limit;
            private final boolean ascending;

            private Builder(int limit, boolean ascending) {
                if (limit < 1) {
                    throw new IllegalArgumentException("limit must be positive");
                }
                this.limit = limit;
                this.ascending = ascending;
            }

            public Builder type(String v) { type = v; return this; }
            public Builder userId(String v) { userId = v; return this; }
            public Builder clientId(String v) { clientId = v; return this; }
            public Builder outcome(String v) { outcome = v; return this; }
            public Builder from(Long v) { from = v; return this; }
            public Builder to(Long v) { to = v; return this; }
            public Builder beforeSeq(Long v) { beforeSeq = v; return this; }
            public Builder afterSeq(Long v) { afterSeq = v; return this; }

            public Query build() {
                return new Query(this);
            }
        }
    }

    /** The records {@code q} selects, as the read API and the export show them. */
    public List<AuditRecords.View> views(String realmId, Query q) {
        return find(realmId, q).stream().map(AuditRecords::view).toList();
    }

    /** The records {@code q} selects, for re-computing their hashes. */
    public List<AuditRecordEntity> find(String realmId, Query q) {
        StringBuilder jpql = new StringBuilder("select r from AuditRecordEntity r where r.realmId = :realm");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("realm", realmId);
        add(jpql, params, "r.type = :type", "type", q.type());
        add(jpql, params, "r.userId = :user", "user", q.userId());
        add(jpql, params, "r.clientId = :client", "client", q.clientId());
        add(jpql, params, "r.outcome = :outcome", "outcome", q.outcome());
        add(jpql, params, "r.time >= :from", "from", q.from());
        add(jpql, params, "r.time < :to", "to", q.to());
        add(jpql, params, "r.seq < :before", "before", q.beforeSeq());
        add(jpql, params, "r.seq > :after", "after", q.afterSeq());
        jpql.append(q.ascending() ? " order by r.seq asc" : " order by r.seq desc");
        TypedQuery<AuditRecordEntity> query = em.createQuery(jpql.toString(), AuditRecordEntity.class);
        params.forEach(query::setParameter);
        return query.setMaxResults(q.limit()).getResultList();
    }

    private static void add(StringBuilder jpql, Map<String, Object> params, String clause, String name, Object value) {
        if (value != null) {
            jpql.append(" and ").append(clause);
            params.put(name, value);
        }
    }

    /** Result of re-computing a realm's chain. */
    public record Verification(boolean ok, long checked, Long brokenSeq, String brokenId, String reason) {
        /** Where the chain breaks, null when it is ok. */
        public Broken broken() {
            return ok ? null : new Broken(brokenSeq, brokenId, reason, null);
        }
    }

    /** The first position that does not verify, as the API shows it ({@code first_broken}); unknowns left out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Broken(Long seq, String id, String reason, @JsonProperty("checkpoint_index") Long checkpointIndex) {
    }

    public Verification verify(String realmId) {
        AuditChainHeadEntity head = em.find(AuditChainHeadEntity.class, realmId);
        if (head == null) {
            return new Verification(true, 0, null, null, null);
        }
        long lastSeq = head.getLastSeq();
        String lastHash = head.getLastHash();
        Range range = verifyRange(realmId, head.getBaseSeq(), head.getBaseHash(), Long.MAX_VALUE);
        if (!range.result().ok()) {
            return range.result();
        }
        if (range.nextSeq() - 1 != lastSeq || !range.lastHash().equals(lastHash)) {
            return new Verification(false, range.result().checked(), range.nextSeq(), null,
                    "records missing at the end of the chain");
        }
        return range.result();
    }

    /** Outcome of checking records from a base up to a sequence number, and where the check stopped. */
    private record Range(Verification result, long nextSeq, String lastHash) {
    }

    /**
     * Checks the records {@code baseSeq..throughSeq} (all present, linked from {@code baseHash}, content
     * unaltered). Clears the entity manager between batches: entities loaded before are detached afterwards.
     */
    private Range verifyRange(String realmId, long baseSeq, String baseHash, long throughSeq) {
        long expectedSeq = baseSeq;
        String expectedPrev = baseHash;
        long checked = 0;
        long after = expectedSeq - 1;
        while (true) {
            List<AuditRecordEntity> batch = find(realmId, Query.oldestFirst(BATCH).afterSeq(after)
                    .beforeSeq(throughSeq == Long.MAX_VALUE ? null : throughSeq + 1).build());
            for (AuditRecordEntity r : batch) {
                if (r.getSeq() != expectedSeq) {
                    return new Range(new Verification(false, checked, expectedSeq, null,
                            "record " + expectedSeq + " is missing"), expectedSeq, expectedPrev);
                }
                if (!expectedPrev.equals(r.getPrevHash())) {
                    return new Range(new Verification(false, checked, r.getSeq(), r.getId(),
                            "previous-hash link broken"), expectedSeq, expectedPrev);
                }
                if (!AuditChain.hash(r).equals(r.getHash())) {
                    return new Range(new Verification(false, checked, r.getSeq(), r.getId(),
                            "record content altered"), expectedSeq, expectedPrev);
                }
                checked++;
                expectedSeq++;
                expectedPrev = r.getHash();
                after = r.getSeq();
            }
            if (batch.size() < BATCH) {
                break;
            }
            em.clear();
        }
        if (throughSeq != Long.MAX_VALUE && expectedSeq <= throughSeq) {
            return new Range(new Verification(false, checked, expectedSeq, null,
                    "record " + expectedSeq + " is missing"), expectedSeq, expectedPrev);
        }
        return new Range(new Verification(true, checked, null, null, null), expectedSeq, expectedPrev);
    }

    /** What a purge did: deleted records, or refused because the range to delete does not verify. */
    public record PurgeResult(long purged, Verification refusedBecause) {
        public boolean refused() {
            return refusedBecause != null;
        }
    }

    /**
     * Deletes records older than {@code cutoffMillis} (never the newest), records where the chain now starts in
     * the head, and appends a purge record holding the hash of the last deleted record. First verifies the
     * records to delete and the link from the last of them to the record after it: if that fails, deleting
     * would erase the evidence, so nothing is deleted and the refusal is appended to the chain instead. The
     * appended record's log line is written once the transaction has committed.
     */
    public PurgeResult purge(String realmId, long cutoffMillis, String actor) {
        AuditChainHeadEntity head = lockHead(realmId);
        List<AuditRecordEntity> last = em.createQuery("select r from AuditRecordEntity r where r.realmId = :realm"
                        + " and r.time < :cutoff and r.seq < :lastSeq order by r.seq desc", AuditRecordEntity.class)
                .setParameter("realm", realmId).setParameter("cutoff", cutoffMillis)
                .setParameter("lastSeq", head.getLastSeq()).setMaxResults(1).getResultList();
        if (last.isEmpty()) {
            return new PurgeResult(0, null);
        }
        long throughSeq = last.get(0).getSeq();
        // verifyRange clears the entity manager: keep plain values, and find the head again (still locked).
        Range range = verifyRange(realmId, head.getBaseSeq(), head.getBaseHash(), throughSeq + 1);
        head = lockHead(realmId);
        if (!range.result().ok()) {
            Verification v = range.result();
            Map<String, String> details = new LinkedHashMap<>();
            details.put("purge_through_seq", Long.toString(throughSeq));
            details.put("broken_seq", String.valueOf(v.brokenSeq()));
            details.put("broken_reason", v.reason());
            AuditRecordEntity refusal = anchor(realmId, actor, "error", details);
            refusal.setError("chain_broken");
            AuditEventListenerProvider.logAfterCommit(session, append(refusal));
            return new PurgeResult(0, v);
        }
        AuditRecordEntity lastPurged = em.find(AuditRecordEntity.class, last.get(0).getId());
        int deleted = em.createQuery("delete from AuditRecordEntity r where r.realmId = :realm and r.seq <= :seq")
                .setParameter("realm", realmId).setParameter("seq", throughSeq).executeUpdate();
        head.setBaseSeq(throughSeq + 1);
        head.setBaseHash(lastPurged.getHash());
        AuditEventListenerProvider.logAfterCommit(session, append(anchor(realmId, actor, "success",
                Map.of("purged_through_seq", Long.toString(throughSeq), "purged_count", Integer.toString(deleted),
                        "last_purged_hash", lastPurged.getHash()))));
        return new PurgeResult(deleted, null);
    }

    static AuditRecordEntity anchor(String realmId, String actor, String outcome, Map<String, String> details) {
        AuditRecordEntity r = new AuditRecordEntity();
        r.setRealmId(realmId);
        r.setTime(Time.currentTimeMillis());
        r.setKind("AUDIT");
        r.setType("AUDIT_PURGE");
        r.setOutcome(outcome);
        r.setUserId(actor);
        r.setDetails(AuditRecords.json(details));
        return r;
    }
}
