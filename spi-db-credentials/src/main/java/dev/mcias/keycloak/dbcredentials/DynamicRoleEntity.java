package dev.mcias.keycloak.dbcredentials;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A PostgreSQL login role this module created. Written (and committed) before the role is created, so the reaper
 * knows every role it may drop, and only those.
 */
@Entity
@Table(name = "MCIAS_DB_DYNAMIC_ROLE")
public class DynamicRoleEntity {

    @Id
    @Column(name = "ROLE_NAME", length = 63)
    private String roleName;
    @Column(name = "CREDENTIAL_ID", length = 36, nullable = false)
    private String credentialId;
    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;
    @Column(name = "EXPIRES_AT", nullable = false)
    private long expiresAt;
    /** Failed drop attempts so far; a role with attempts is "stuck" until it is dropped. */
    @Column(name = "ATTEMPTS", nullable = false)
    private int attempts;
    /** Not retried before this time (backoff after failures); null: at expiry. */
    @Column(name = "NEXT_ATTEMPT_AT")
    private Long nextAttemptAt;
    /** Why the last attempt failed (driver message and SQLState; never a secret). */
    @Column(name = "LAST_ERROR", length = 255)
    private String lastError;

    public String getRoleName() { return roleName; }
    public void setRoleName(String v) { roleName = v; }
    public String getCredentialId() { return credentialId; }
    public void setCredentialId(String v) { credentialId = v; }
    public long getCreatedAt() { return createdAt; }
    public void setCreatedAt(long v) { createdAt = v; }
    public long getExpiresAt() { return expiresAt; }
    public void setExpiresAt(long v) { expiresAt = v; }
    public int getAttempts() { return attempts; }
    public void setAttempts(int v) { attempts = v; }
    public Long getNextAttemptAt() { return nextAttemptAt; }
    public void setNextAttemptAt(Long v) { nextAttemptAt = v; }
    public String getLastError() { return lastError; }
    public void setLastError(String v) { lastError = v == null || v.length() <= 255 ? v : v.substring(0, 252) + "..."; }
}
