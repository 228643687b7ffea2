package dev.mcias.keycloak.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One append-only audit record; {@code HASH} chains it to the previous record of its realm. */
@Entity
@Table(name = "MCIAS_AUDIT_RECORD")
public class AuditRecordEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;
    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;
    @Column(name = "SEQ", nullable = false)
    private long seq;
    @Column(name = "EVENT_TIME", nullable = false)
    private long time;
    @Column(name = "KIND", length = 16, nullable = false)
    private String kind;
    @Column(name = "TYPE", length = 128, nullable = false)
    private String type;
    @Column(name = "OUTCOME", length = 16, nullable = false)
    private String outcome;
    @Column(name = "ERROR", length = 255)
    private String error;
    @Column(name = "USER_ID", length = 255)
    private String userId;
    @Column(name = "CLIENT_ID", length = 255)
    private String clientId;
    @Column(name = "SESSION_ID", length = 255)
    private String sessionId;
    @Column(name = "IP_ADDRESS", length = 255)
    private String ipAddress;
    @Column(name = "USER_AGENT", length = 512)
    private String userAgent;
    @Column(name = "RESOURCE_PATH", length = 1024)
    private String resourcePath;
    @Column(name = "DETAILS", length = 8192)
    private String details;
    @Column(name = "PREV_HASH", length = 64, nullable = false)
    private String prevHash;
    @Column(name = "HASH", length = 64, nullable = false)
    private String hash;

    public String getId() { return id; }
    public void setId(String v) { id = v; }
    public String getRealmId() { return realmId; }
    public void setRealmId(String v) { realmId = v; }
    public long getSeq() { return seq; }
    public void setSeq(long v) { seq = v; }
    public long getTime() { return time; }
    public void setTime(long v) { time = v; }
    public String getKind() { return kind; }
    public void setKind(String v) { kind = v; }
    public String getType() { return type; }
    public void setType(String v) { type = v; }
    public String getOutcome() { return outcome; }
    public void setOutcome(String v) { outcome = v; }
    public String getError() { return error; }
    public void setError(String v) { error = v; }
    public String getUserId() { return userId; }
    public void setUserId(String v) { userId = v; }
    public String getClientId() { return clientId; }
    public void setClientId(String v) { clientId = v; }
    public String getSessionId() { return sessionId; }
    public void setSessionId(String v) { sessionId = v; }
    public String getIpAddress() { return ipAddress; }
    public void setIpAddress(String v) { ipAddress = v; }
    public String getUserAgent() { return userAgent; }
    public void setUserAgent(String v) { userAgent = v; }
    public String getResourcePath() { return resourcePath; }
    public void setResourcePath(String v) { resourcePath = v; }
    public String getDetails() { return details; }
    public void setDetails(String v) { details = v; }
    public String getPrevHash() { return prevHash; }
    public void setPrevHash(String v) { prevHash = v; }
    public String getHash() { return hash; }
    public void setHash(String v) { hash = v; }
}
