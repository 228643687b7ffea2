package dev.mcias.keycloak.invites;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * One invite. The link's secret is not stored, only its SHA-256
 * ({@link dev.mcias.keycloak.common.OpaqueToken#INVITE}). An invite is pending while
 * {@code usedAt} and {@code revokedAt} are null and {@code expiresAt} lies ahead; redeeming it sets {@code usedAt}
 * in the transaction that creates the user. Times are epoch milliseconds.
 */
@Entity
@Table(name = "MCIAS_INVITE")
@NamedQuery(name = "mciasInviteByHash",
        query = "select i from InviteEntity i where i.realmId = :realmId and i.tokenHash = :hash")
@NamedQuery(name = "mciasInvitesOfRealm",
        query = "select i from InviteEntity i where i.realmId = :realmId order by i.createdAt desc")
@NamedQuery(name = "mciasInviteConsume",
        query = "update InviteEntity i set i.usedAt = :now, i.usedBy = :userId where i.id = :id"
                + " and i.usedAt is null and i.revokedAt is null and i.expiresAt > :now")
@NamedQuery(name = "mciasInvitePending",
        query = "select count(i) from InviteEntity i where i.id = :id"
                + " and i.usedAt is null and i.revokedAt is null and i.expiresAt > :now")
@NamedQuery(name = "mciasInviteRevoke",
        query = "update InviteEntity i set i.revokedAt = :now, i.revokedBy = :actor where i.id = :id"
                + " and i.usedAt is null and i.revokedAt is null")
@NamedQuery(name = "mciasInvitePurge",
        query = "delete from InviteEntity i where i.realmId = :realmId and i.expiresAt < :before")
@NamedQuery(name = "mciasInviteDeleteRealm", query = "delete from InviteEntity i where i.realmId = :realmId")
@NamedQuery(name = "mciasInviteDeleteClient",
        query = "delete from InviteEntity i where i.realmId = :realmId and i.clientId = :clientId")
public class InviteEntity {
    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "TOKEN_HASH", length = 64, nullable = false)
    private String tokenHash;

    @Column(name = "USERNAME", length = 255)
    private String username;

    @Column(name = "EMAIL", length = 255)
    private String email;

    @Column(name = "ROLES", length = 2048)
    private String roles;

    @Column(name = "CLIENT_ID", length = 36)
    private String clientId;

    @Column(name = "NOTE", length = 255)
    private String note;

    @Column(name = "EMAIL_SENT", nullable = false)
    private boolean emailSent;

    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;

    @Column(name = "CREATED_BY", length = 255)
    private String createdBy;

    @Column(name = "EXPIRES_AT", nullable = false)
    private long expiresAt;

    @Column(name = "USED_AT")
    private Long usedAt;

    @Column(name = "USED_BY", length = 36)
    private String usedBy;

    @Column(name = "REVOKED_AT")
    private Long revokedAt;

    @Column(name = "REVOKED_BY", length = 255)
    private String revokedBy;

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    public String getRealmId() {
        return realmId;
    }

    public void setRealmId(String realmId) {
        this.realmId = realmId;
    }

    public String getTokenHash() {
        return tokenHash;
    }

    public void setTokenHash(String tokenHash) {
        this.tokenHash = tokenHash;
    }

    public String getUsername() {
        return username;
    }

    public void setUsername(String username) {
        this.username = username;
    }

    public String getEmail() {
        return email;
    }

    public void setEmail(String email) {
        this.email = email;
    }

    public String getRoles() {
        return roles;
    }

    public void setRoles(String roles) {
        this.roles = roles;
    }

    public String getClientId() {
        return clientId;
    }

    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public String getNote() {
        return note;
    }

    public void setNote(String note) {
        this.note = note;
    }

    public boolean isEmailSent() {
        return emailSent;
    }

    public void setEmailSent(boolean emailSent) {
        this.emailSent = emailSent;
    }

    public long getCreatedAt() {
        return createdAt;
    }

    public void setCreatedAt(long createdAt) {
        this.createdAt = createdAt;
    }

    public String getCreatedBy() {
        return createdBy;
    }

    public void setCreatedBy(String createdBy) {
        this.createdBy = createdBy;
    }

    public long getExpiresAt() {
        return expiresAt;
    }

    public void setExpiresAt(long expiresAt) {
        this.expiresAt = expiresAt;
    }

    public Long getUsedAt() {
        return usedAt;
    }

    public void setUsedAt(Long usedAt) {
        this.usedAt = usedAt;
    }

    public String getUsedBy() {
        return usedBy;
    }

    public void setUsedBy(String usedBy) {
        this.usedBy = usedBy;
    }

    public Long getRevokedAt() {
        return revokedAt;
    }

    public void setRevokedAt(Long revokedAt) {
        this.revokedAt = revokedAt;
    }

    public String getRevokedBy() {
        return revokedBy;
    }

    public void setRevokedBy(String revokedBy) {
        this.revokedBy = revokedBy;
    }
}
