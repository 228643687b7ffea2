package dev.mcias.keycloak.audit.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
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

    /** {@code GET /verify}; {@code first_broken} and {@code signed_through} are left out when there is none. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Verified(boolean ok, long checked, @JsonProperty("first_broken") AuditStore.Broken firstBroken,
                           @JsonProperty("checkpoints_enabled") boolean checkpointsEnabled,
                           @JsonProperty("checkpoints_checked") long checkpointsChecked,
                           @JsonProperty("signed_through") SignedThrough signedThrough) {
    }

    /** The newest checkpoint that verified. */
    public record SignedThrough(long seq, long index, long time, @JsonProperty("key_id") String keyId, String hash) {
    }

    /**
     * The body of {@code GET /verify}: the record chain's verdict {@code v} combined with the checkpoints'; the
     * first broken position is the lower of the two.
     */
    public static Verified verifyBody(KeycloakSession session, String realmId, AuditStore.Verification v) {
        Checkpointer cp = checkpointer(session.getKeycloakSessionFactory());
        CheckpointVerifier.Result c = CheckpointVerifier.verify(session, realmId, cp == null ? null : cp.keys());
        AuditStore.Broken broken = null;
        if (!v.ok() && (c.ok() || v.brokenSeq() <= c.brokenSeq())) {
            broken = v.broken();
        } else if (!c.ok()) {
            broken = new AuditStore.Broken(c.brokenSeq(), null, c.reason(), c.brokenIndex());
        }
        AuditCheckpointEntity s = c.signed();
        return new Verified(v.ok() && c.ok(), v.checked(), broken, cp != null, c.checked(), s == null ? null
                : new SignedThrough(s.getSeq(), s.getIndex(), s.getTime(), s.getKeyId(), s.getHash()));
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
                        w.write(JsonSerialization.writeValueAsString(Checkpoints.line(c)));
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

    public record PublicKeys(boolean enabled, List<PublicKey> keys) {
    }

    public record PublicKey(@JsonProperty("key_id") String keyId, String alg, boolean signing,
                            @JsonProperty("public_key") String publicKey, String spki) {
    }

    /** {@code GET /checkpoint-keys}: every verification key, the signing one first. */
    public static PublicKeys publicKeys(KeycloakSessionFactory factory) {
        Checkpointer cp = checkpointer(factory);
        List<PublicKey> keys = cp == null ? List.of() : cp.keys().all().stream().map(k -> new PublicKey(k.id(),
                "Ed25519", k == cp.keys().signing(), Base64.getEncoder().encodeToString(k.raw()),
                Base64.getEncoder().encodeToString(k.publicKey().getEncoded()))).toList();
        return new PublicKeys(cp != null, keys);
    }
}
