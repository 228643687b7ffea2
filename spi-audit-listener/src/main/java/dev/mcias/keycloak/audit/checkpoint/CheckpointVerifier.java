package dev.mcias.keycloak.audit.checkpoint;

import java.util.List;

import jakarta.persistence.EntityManager;
import org.keycloak.models.KeycloakSession;

import dev.mcias.keycloak.audit.AuditChainHeadEntity;

/**
 * Checks a realm's checkpoints against its records (the record chain itself is checked by
 * {@code AuditStore.verify}): every signature under a known key, the chain of checkpoints (index 1, 2, ...; each
 * {@code prev_hash} the previous one's hash), and that the record at each checkpoint's seq exists and has the
 * signed hash. A checkpoint beyond the newest record means the newest records were deleted (truncation); a
 * record that no longer matches its checkpoint means the chain was rewritten after that checkpoint was signed.
 */
public final class CheckpointVerifier {

    static final int BATCH = 500;

    private CheckpointVerifier() {
    }

    /**
     * {@code ok}, checkpoints checked, the newest verified checkpoint ({@code signed}, null when none) and, when
     * not ok, the first bad position: {@code brokenSeq} (the first record not proven by a checkpoint) and why.
     */
    public record Result(boolean ok, long checked, AuditCheckpointEntity signed, Long brokenSeq, Long brokenIndex,
                         String reason) {
    }

    public static Result verify(KeycloakSession session, String realmId, CheckpointKeys keys) {
        EntityManager em = Checkpointer.em(session);
        // The checkpoints as of now, then the head read afresh: every checkpoint committed signs a record committed
        // before it, so none of these can be ahead of the head unless records were deleted.
        Long maxIndex = em.createQuery("select max(c.index) from AuditCheckpointEntity c where c.realmId = :realm",
                Long.class).setParameter("realm", realmId).getSingleResult();
        if (maxIndex == null) {
            return new Result(true, 0, null, null, null, null);
        }
        em.clear();
        AuditChainHeadEntity head = em.find(AuditChainHeadEntity.class, realmId);
        long lastSeq = head == null ? 0 : head.getLastSeq();
        long baseSeq = head == null ? 1 : head.getBaseSeq();
        String baseHash = head == null ? Checkpoints.GENESIS : head.getBaseHash();
        long expectedIndex = 1;
        String prevHash = Checkpoints.GENESIS;
        long prevSeq = 0;
        // The last position proven by a checkpoint whose record still matches.
        long provenSeq = baseSeq - 1;
        AuditCheckpointEntity signed = null;
        long checked = 0;
        while (true) {
            List<Object[]> batch = em.createQuery("select c, r.hash from AuditCheckpointEntity c"
                            + " left join AuditRecordEntity r on r.realmId = c.realmId and r.seq = c.seq"
                            + " where c.realmId = :realm and c.index >= :from and c.index <= :max"
                            + " order by c.index asc", Object[].class)
                    .setParameter("realm", realmId).setParameter("from", expectedIndex).setParameter("max", maxIndex)
                    .setMaxResults(BATCH)
                    .getResultList();
            for (Object[] row : batch) {
                AuditCheckpointEntity c = (AuditCheckpointEntity) row[0];
                String recordHash = (String) row[1];
                byte[] canonical = Checkpoints.canonical(c);
                if (c.getIndex() != expectedIndex) {
                    return broken(checked, signed, Math.min(c.getSeq(), provenSeq + 1), c.getIndex(),
                            "checkpoint " + expectedIndex + " is missing");
                }
                if (keys == null || keys.get(c.getKeyId()) == null) {
                    return broken(checked, signed, c.getSeq(), c.getIndex(), "checkpoint " + c.getIndex()
                            + " is signed with an unknown key " + c.getKeyId());
                }
                if (!keys.verify(c.getKeyId(), canonical, c.getSignature())) {
                    return broken(checked, signed, c.getSeq(), c.getIndex(), "checkpoint " + c.getIndex()
                            + ": signature invalid (forged or altered checkpoint)");
                }
                if (!Checkpoints.hash(canonical).equals(c.getHash()) || !prevHash.equals(c.getPrevHash())
                        || c.getSeq() < prevSeq) {
                    return broken(checked, signed, c.getSeq(), c.getIndex(), "checkpoint " + c.getIndex()
                            + ": chain of checkpoints broken");
                }
                if (c.getSeq() > lastSeq) {
                    return broken(checked, signed, Math.max(lastSeq, provenSeq) + 1, c.getIndex(), "records "
                            + (Math.max(lastSeq, provenSeq) + 1) + " to " + c.getSeq() + " are missing (signed by"
                            + " checkpoint " + c.getIndex() + "): the newest records were deleted");
                }
                if (c.getSeq() >= baseSeq) {
                    if (recordHash == null) {
                        return broken(checked, signed, c.getSeq(), c.getIndex(), "record " + c.getSeq()
                                + " is missing (signed by checkpoint " + c.getIndex() + ")");
                    }
                    if (!recordHash.equals(c.getRecordHash())) {
                        return broken(checked, signed, provenSeq + 1, c.getIndex(), "records " + (provenSeq + 1)
                                + " to " + c.getSeq() + " were rewritten: record " + c.getSeq()
                                + " does not match checkpoint " + c.getIndex());
                    }
                    provenSeq = c.getSeq();
                } else if (c.getSeq() == baseSeq - 1 && !baseHash.equals(c.getRecordHash())) {
                    return broken(checked, signed, baseSeq, c.getIndex(), "the chain's base (after a purge) does not"
                            + " match checkpoint " + c.getIndex());
                }
                checked++;
                expectedIndex++;
                prevHash = c.getHash();
                prevSeq = c.getSeq();
                signed = c;
            }
            if (batch.size() < BATCH) {
                break;
            }
            em.clear();
        }
        return new Result(true, checked, signed, null, null, null);
    }

    private static Result broken(long checked, AuditCheckpointEntity signed, long seq, Long index, String reason) {
        return new Result(false, checked, signed, seq, index, reason);
    }
}
