package dev.mcias.keycloak.audit.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.keycloak.events.EventListenerProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.util.JsonSerialization;

import dev.mcias.keycloak.audit.AuditEventListenerProviderFactory;
import dev.mcias.keycloak.audit.AuditStore;

/** What the audit REST resource serves about checkpoints: verification, export lines, public keys. */
public final class CheckpointApi {

    private CheckpointApi() {
    }

    /** The configured writer, null without a checkpoint key file (or without the listener). */
    public static Checkpointer checkpointer(KeycloakSessionFactory factory) {
        return factory.getProviderFactory(EventListenerProvider.class, AuditEventListenerProviderFactory.ID)
                instanceof AuditEventListenerProviderFactory f ? f.checkpointer() : null;
    }

    /**
     * The body of {@code GET /verify}: the record chain's verdict {@code v} combined with the checkpoints'; the
     * first broken position is the lower of the two.
     */
    public static Map<String, Object> verifyBody(KeycloakSession session, String realmId, AuditStore.Verification v) {
        Checkpointer cp = checkpointer(session.getKeycloakSessionFactory());
        CheckpointVerifier.Result c = CheckpointVerifier.verify(session, realmId, cp == null ? null : cp.keys());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", v.ok() && c.ok());
        body.put("checked", v.checked());
        Map<String, Object> broken = null;
        if (!v.ok() && (c.ok() || v.brokenSeq() <= c.brokenSeq())) {
            broken = new LinkedHashMap<>();
            broken.put("seq", v.brokenSeq());
            broken.put("id", v.brokenId());
            broken.put("reason", v.reason());
        } else if (!c.ok()) {
            broken = new LinkedHashMap<>();
            broken.put("seq", c.brokenSeq());
            broken.put("id", null);
            broken.put("reason", c.reason());
            broken.put("checkpoint_index", c.brokenIndex());
        }
        if (broken != null) {
            body.put("first_broken", broken);
        }
        body.put("checkpoints_enabled", cp != null);
        body.put("checkpoints_checked", c.checked());
        body.put("signed_through", signed(c.signed()));
        return body;
    }

    private static Map<String, Object> signed(AuditCheckpointEntity c) {
        if (c == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", c.getSeq());
        m.put("index", c.getIndex());
        m.put("time", c.getTime());
        m.put("key_id", c.getKeyId());
        m.put("hash", c.getHash());
        return m;
    }

    /**
     * The newest checkpoint's index (0 when none), read when an export starts: every checkpoint up to it signs a
     * record committed before the export started, which the export therefore holds unless it was deleted.
     */
    public static long newestIndex(KeycloakSession session, String realmId) {
        Long max = Checkpointer.em(session).createQuery("select max(c.index) from AuditCheckpointEntity c"
                + " where c.realmId = :realm", Long.class).setParameter("realm", realmId).getSingleResult();
        return max == null ? 0 : max;
    }

    /**
     * Appends the realm's checkpoints up to index {@code throughIndex} to an export, one {@code {"checkpoint":
     * {...}}} line each, oldest first, read in batches through sessions of their own. All of them, also those
     * signing records the export lacks: that is how deleted newest records show.
     */
    public static void export(KeycloakSessionFactory factory, String realmId, long throughIndex, Writer w) {
        long[] after = {0};
        boolean[] more = {throughIndex > 0};
        while (more[0]) {
            KeycloakModelUtils.runJobInTransaction(factory, s -> {
                List<AuditCheckpointEntity> batch = Checkpointer.em(s).createQuery("select c from"
                                + " AuditCheckpointEntity c where c.realmId = :realm and c.index > :after"
                                + " and c.index <= :through order by c.index asc", AuditCheckpointEntity.class)
                        .setParameter("realm", realmId).setParameter("after", after[0])
                        .setParameter("through", throughIndex).setMaxResults(CheckpointVerifier.BATCH)
                        .getResultList();
                for (AuditCheckpointEntity c : batch) {
                    try {
                        w.write(JsonSerialization.writeValueAsString(Checkpoints.toMap(c)));
                        w.write('\n');
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    after[0] = c.getIndex();
                }
                more[0] = batch.size() == CheckpointVerifier.BATCH;
            });
        }
    }

    /** {@code GET /checkpoint-keys}: every verification key, the signing one first. */
    public static Map<String, Object> publicKeys(KeycloakSessionFactory factory) {
        Checkpointer cp = checkpointer(factory);
        List<Map<String, Object>> keys = new ArrayList<>();
        if (cp != null) {
            for (CheckpointKeys.Key k : cp.keys().all()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("key_id", k.id());
                m.put("alg", "Ed25519");
                m.put("signing", k == cp.keys().signing());
                m.put("public_key", Base64.getEncoder().encodeToString(k.raw()));
                m.put("spki", Base64.getEncoder().encodeToString(k.publicKey().getEncoded()));
                keys.add(m);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("enabled", cp != null);
        body.put("keys", keys);
        return body;
    }
}
