package dev.mcias.keycloak.audit.checkpoint;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A signed checkpoint of a realm's audit chain: "record {@code seq} of realm {@code realmId} has hash
 * {@code recordHash}", signed with the Ed25519 key {@code keyId} over the canonical encoding
 * ({@link Checkpoints#canonical}), and chained to the previous checkpoint by {@code prevHash}.
 */
@Entity
@Table(name = "MCIAS_AUDIT_CHECKPOINT")
public class AuditCheckpointEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;
    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;
    /** 1, 2, 3, ... per realm; unique, so two writers racing cannot fork the chain of checkpoints. */
    @Column(name = "IDX", nullable = false)
    private long index;
    @Column(name = "SEQ", nullable = false)
    private long seq;
    @Column(name = "RECORD_HASH", length = 64, nullable = false)
    private String recordHash;
    @Column(name = "CKPT_TIME", nullable = false)
    private long time;
    @Column(name = "KEY_ID", length = 32, nullable = false)
    private String keyId;
    @Column(name = "PREV_HASH", length = 64, nullable = false)
    private String prevHash;
    @Column(name = "HASH", length = 64, nullable = false)
    private String hash;
    @Column(name = "SIGNATURE", length = 128, nullable = false)
    private String signature;

    public String getId() { return id; }
    public void setId(String v) { id = v; }
    public String getRealmId() { return realmId; }
    public void setRealmId(String v) { realmId = v; }
    public long getIndex() { return index; }
    public void setIndex(long v) { index = v; }
    public long getSeq() { return seq; }
    public void setSeq(long v) { seq = v; }
    public String getRecordHash() { return recordHash; }
    public void setRecordHash(String v) { recordHash = v; }
    public long getTime() { return time; }
    public void setTime(long v) { time = v; }
    public String getKeyId() { return keyId; }
    public void setKeyId(String v) { keyId = v; }
    public String getPrevHash() { return prevHash; }
    public void setPrevHash(String v) { prevHash = v; }
    public String getHash() { return hash; }
    public void setHash(String v) { hash = v; }
    public String getSignature() { return signature; }
    public void setSignature(String v) { signature = v; }
}
