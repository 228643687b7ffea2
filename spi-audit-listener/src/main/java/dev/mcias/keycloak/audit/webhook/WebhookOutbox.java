package dev.mcias.keycloak.audit.webhook;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import dev.mcias.keycloak.audit.AuditRecordEntity;
import dev.mcias.keycloak.audit.AuditRecords;

/** The webhook outbox table: rows written with their audit record, claimed, completed, listed and purged. */
public final class WebhookOutbox {

    private final EntityManager em;

    public WebhookOutbox(KeycloakSession session) {
        this(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    WebhookOutbox(EntityManager em) {
        this.em = em;
    }

    /**
     * Called by {@code AuditStore.append} with the record just persisted: one outbox row per endpoint of the
     * realm's webhook, if the realm has one, the record's type matches and a secret is configured; the rows commit
     * or roll back with the record. Returns the rows' ids, for the delivery threads once the transaction has
     * committed ({@link WebhookDispatcher#afterCommit}). Free without a webhook-secret-file; otherwise one cached realm
     * attribute read when the realm has no webhook.
     */
    public static List<String> enqueue(KeycloakSession session, EntityManager em, AuditRecordEntity r) {
        WebhookDispatcher dispatcher = WebhookDispatcher.of(session);
        if (dispatcher == null || !dispatcher.enabled()) {
            return List.of(); // no webhook-secret-file: nothing can be sent, so the realm is not even looked up
        }
        RealmModel realm = session.realms().getRealm(r.getRealmId());
        WebhookRealmConfig cfg = WebhookRealmConfig.of(realm);
        if (!cfg.on() || !cfg.matches(r.getType()) || !dispatcher.ready(realm, cfg)) {
            return List.of();
        }
        String payload = AuditRecords.toJson(r);
        long now = System.currentTimeMillis();
        List<String> ids = new ArrayList<>();
        for (String url : cfg.urls()) {
            WebhookOutboxEntity o = new WebhookOutboxEntity();
            o.setId(UUID.randomUUID().toString());
            o.setRealmId(r.getRealmId());
            o.setRecordId(r.getId());
            o.setRecordSeq(r.getSeq());
            o.setRecordType(r.getType());
            o.setUrl(url);
            o.setPayload(payload);
            o.setStatus(WebhookOutboxEntity.PENDING);
            o.setAttempts(0);
            o.setCreatedAt(now);
            o.setNextAttemptAt(now);
            o.setClaimedUntil(0);
            em.persist(o);
            ids.add(o.getId());
        }
        return ids;
    }

    /**
     * Claims a due pending row for one attempt until {@code until}: a conditional UPDATE, so of all nodes (and
     * threads) trying at once exactly one gets 1 row back. Returns the row, or null if someone else has it, it is
     * not due, or it is done.
     */
    WebhookOutboxEntity claim(String id, String token, long now, long until) {
        int n = em.createQuery("update WebhookOutboxEntity o set o.claimedUntil = :until, o.claimToken = :token"
                        + " where o.id = :id and o.status = :pending and o.claimedUntil < :now and o.nextAttemptAt <= :now")
                .setParameter("until", until).setParameter("token", token).setParameter("id", id)
                .setParameter("pending", WebhookOutboxEntity.PENDING).setParameter("now", now).executeUpdate();
        return n == 1 ? em.find(WebhookOutboxEntity.class, id) : null;
    }

    /** The row if this claim still holds it (locked until commit), else null: the lease ran out and another took it. */
    WebhookOutboxEntity held(String id, String token) {
        WebhookOutboxEntity o = em.find(WebhookOutboxEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
        return o != null && token.equals(o.getClaimToken()) && WebhookOutboxEntity.PENDING.equals(o.getStatus())
                ? o : null;
    }

    void remove(WebhookOutboxEntity o) {
        em.remove(o);
    }

    /** Ids of pending rows that are due and not claimed, oldest due first. */
    List<String> due(long now, int max) {
        return em.createQuery("select o.id from WebhookOutboxEntity o where o.status = :pending"
                        + " and o.nextAttemptAt <= :now and o.claimedUntil < :now order by o.nextAttemptAt", String.class)
                .setParameter("pending", WebhookOutboxEntity.PENDING).setParameter("now", now)
                .setMaxResults(max).getResultList();
    }

    /** Deletes rows finished with {@code status} before {@code before}; returns how many. */
    int purge(String status, long before) {
        return em.createQuery("delete from WebhookOutboxEntity o where o.status = :status and o.doneAt < :before")
                .setParameter("status", status).setParameter("before", before).executeUpdate();
    }

    /** A removed realm's rows go with it (in the removing transaction). */
    public int deleteRealm(String realmId) {
        return em.createQuery("delete from WebhookOutboxEntity o where o.realmId = :realm")
                .setParameter("realm", realmId).executeUpdate();
    }

    /**
     * A row as {@code GET /audit/webhooks/deliveries} shows it: the endpoint by origin only (a URL's path or query
     * may carry a token), no payload (it is the audit record), {@code next_attempt} only while pending, and what
     * has not happened yet left out.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delivery(@JsonProperty("webhook_id") String webhookId, @JsonProperty("record_id") String recordId,
                           @JsonProperty("record_seq") long recordSeq, String type, String endpoint, String status,
                           int attempts, long created, @JsonProperty("last_attempt") Long lastAttempt,
                           @JsonProperty("next_attempt") Long nextAttempt,
                           @JsonProperty("last_status") Integer lastStatus,
                           @JsonProperty("last_error") String lastError, Long done) {
        static Delivery of(WebhookOutboxEntity o) {
            boolean pending = WebhookOutboxEntity.PENDING.equals(o.getStatus());
            return new Delivery(o.getId(), o.getRecordId(), o.getRecordSeq(), o.getRecordType(),
                    WebhookRealmConfig.origin(o.getUrl()), o.getStatus(), o.getAttempts(), o.getCreatedAt(),
                    o.getLastAttemptAt(), pending ? o.getNextAttemptAt() : null, o.getLastStatus(), o.getLastError(),
                    o.getDoneAt());
        }
    }

    /** The newest rows of a realm, optionally of one status. */
    public List<Delivery> list(String realmId, String status, int limit) {
        String jpql = "select o from WebhookOutboxEntity o where o.realmId = :realm"
                + (status == null ? "" : " and o.status = :status") + " order by o.createdAt desc, o.id desc";
        var q = em.createQuery(jpql, WebhookOutboxEntity.class).setParameter("realm", realmId);
        if (status != null) {
            q.setParameter("status", status);
        }
        return q.setMaxResults(limit).getResultList().stream().map(Delivery::of).toList();
    }

    /** Rows per status in a realm (every status present, 0 when none). */
    public Map<String, Long> counts(String realmId) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String s : List.of(WebhookOutboxEntity.PENDING, WebhookOutboxEntity.DELIVERED, WebhookOutboxEntity.FAILED)) {
            out.put(s, 0L);
        }
        List<Object[]> rows = em.createQuery("select o.status, count(o) from WebhookOutboxEntity o"
                + " where o.realmId = :realm group by o.status", Object[].class).setParameter("realm", realmId)
                .getResultList();
        for (Object[] row : rows) {
            out.put((String) row[0], ((Number) row[1]).longValue());
        }
        return out;
    }
}
