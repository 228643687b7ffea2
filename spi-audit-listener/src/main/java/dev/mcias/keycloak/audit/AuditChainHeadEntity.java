package dev.mcias.keycloak.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * Per-realm end of the chain. Appends lock this row, which serializes them in the database across threads and
 * nodes. {@code BASE_*} is where verification starts: the genesis, or the last record removed by a purge.
 */
@Entity
@Table(name = "MCIAS_AUDIT_HEAD")
public class AuditChainHeadEntity {

    @Id
    @Column(name = "REALM_ID", length = 36)
    private String realmId;
    @Column(name = "LAST_SEQ", nullable = false)
    private long lastSeq;
    @Column(name = "LAST_HASH", length = 64, nullable = false)
    private String lastHash;
    @Column(name = "BASE_SEQ", nullable = false)
    private long baseSeq;
    @Column(name = "BASE_HASH", length = 64, nullable = false)
    private String baseHash;

    public String getRealmId() { return realmId; }
    public void setRealmId(String v) { realmId = v; }
    public long getLastSeq() { return lastSeq; }
    public void setLastSeq(long v) { lastSeq = v; }
    public String getLastHash() { return lastHash; }
    public void setLastHash(String v) { lastHash = v; }
    public long getBaseSeq() { return baseSeq; }
    public void setBaseSeq(long v) { baseSeq = v; }
    public String getBaseHash() { return baseHash; }
    public void setBaseHash(String v) { baseHash = v; }
}
