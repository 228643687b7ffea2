package dev.mcias.keycloak.audit.webhook;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One webhook message to one endpoint: written in the transaction that appends its audit record, delivered after
 * commit. {@code ID} is the {@code webhook-id} header, the same for every attempt.
 */
@Entity
@Table(name = "MCIAS_AUDIT_WEBHOOK_OUTBOX")
public class WebhookOutboxEntity {

    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";

    @Id
    @Column(name = "ID", length = 36)
    private String id;
    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;
    @Column(name = "RECORD_ID", length = 36, nullable = false)
    private String recordId;
    @Column(name = "RECORD_SEQ", nullable = false)
    private long recordSeq;
    @Column(name = "RECORD_TYPE", length = 128, nullable = false)
    private String recordType;
    @Column(name = "URL", length = 1024, nullable = false)
    private String url;
    @Column(name = "PAYLOAD", length = 65536, nullable = false)
    private String payload;
    @Column(name = "STATUS", length = 16, nullable = false)
    private String status;
    @Column(name = "ATTEMPTS", nullable = false)
    private int attempts;
    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;
    @Column(name = "NEXT_ATTEMPT_AT", nullable = false)
    private long nextAttemptAt;
    @Column(name = "CLAIMED_UNTIL", nullable = false)
    private long claimedUntil;
    @Column(name = "CLAIM_TOKEN", length = 36)
    private String claimToken;
    @Column(name = "LAST_ATTEMPT_AT")
    private Long lastAttemptAt;
    @Column(name = "LAST_STATUS")
    private Integer lastStatus;
    @Column(name = "LAST_ERROR", length = 255)
    private String lastError;
    @Column(name = "DONE_AT")
    private Long doneAt;

    public String getId() { return id; }
    public void setId(String v) { id = v; }
    public String getRealmId() { return realmId; }
    public void setRealmId(String v) { realmId = v; }
    public String getRecordId() { return recordId; }
    public void setRecordId(String v) { recordId = v; }
    public long getRecordSeq() { return recordSeq; }
    public void setRecordSeq(long v) { recordSeq = v; }
    public String getRecordType() { return recordType; }
    public void setRecordType(String v) { recordType = v; }
    public String getUrl() { return url; }
    public void setUrl(String v) { url = v; }
    public String getPayload() { return payload; }
    public void setPayload(String v) { payload = v; }
    public String getStatus() { return status; }
    public void setStatus(String v) { status = v; }
    public int getAttempts() { return attempts; }
    public void setAttempts(int v) { attempts = v; }
    public long getCreatedAt() { return createdAt; }
    public void setCreatedAt(long v) { createdAt = v; }
    public long getNextAttemptAt() { return nextAttemptAt; }
    public void setNextAttemptAt(long v) { nextAttemptAt = v; }
    public long getClaimedUntil() { return claimedUntil; }
    public void setClaimedUntil(long v) { claimedUntil = v; }
    public String getClaimToken() { return claimToken; }
    public void setClaimToken(String v) { claimToken = v; }
    public Long getLastAttemptAt() { return lastAttemptAt; }
    public void setLastAttemptAt(Long v) { lastAttemptAt = v; }
    public Integer getLastStatus() { return lastStatus; }
    public void setLastStatus(Integer v) { lastStatus = v; }
    public String getLastError() { return lastError; }
    public void setLastError(String v) { lastError = v; }
    public Long getDoneAt() { return doneAt; }
    public void setDoneAt(Long v) { doneAt = v; }
}
