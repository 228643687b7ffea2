package dev.mcias.keycloak.systemaccounts;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * The single token slot of one system account: exactly one row per account (unique realm + client), so there
 * is never more than one valid token. A null hash means "no token".
 */
@Entity
@Table(name = "MCIAS_SA_TOKEN")
@NamedQuery(name = "mciasSaTokenByClient",
        query = "select t from SystemAccountTokenEntity t where t.realmId = :realmId and t.clientId = :clientId")
@NamedQuery(name = "mciasSaTokenDeleteByClient",
        query = "delete from SystemAccountTokenEntity t where t.realmId = :realmId and t.clientId = :clientId")
public class SystemAccountTokenEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    /** Keycloak's internal client id (UUID), not the clientId. */
    @Column(name = "CLIENT_ID", length = 36, nullable = false)
    private String clientId;

    @Column(name = "TOKEN_HASH", length = 64)
    private String tokenHash;

    @Column(name = "FINGERPRINT", length = 16)
    private String fingerprint;

    @Column(name = "ISSUED_AT")
    private Long issuedAt;

    @Column(name = "EXPIRES_AT")
    private Long expiresAt;

    @Column(name = "ISSUED_BY", length = 255)
    private String issuedBy;

    @Column(name = "LAST_USED_AT")
    private Long lastUsedAt;

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

    public String getClientId() {
        return clientId;
    }

    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public String getTokenHash() {
        return tokenHash;
    }

    public void setTokenHash(String tokenHash) {
        this.tokenHash = tokenHash;
    }

    public String getFingerprint() {
        return fingerprint;
    }

    public void setFingerprint(String fingerprint) {
        this.fingerprint = fingerprint;
    }

    public Long getIssuedAt() {
        return issuedAt;
    }

    public void setIssuedAt(Long issuedAt) {
        this.issuedAt = issuedAt;
    }

    public Long getExpiresAt() {
        return expiresAt;
    }

    public void setExpiresAt(Long expiresAt) {
        this.expiresAt = expiresAt;
    }

    public String getIssuedBy() {
        return issuedBy;
    }

    public void setIssuedBy(String issuedBy) {
        this.issuedBy = issuedBy;
    }

    public Long getLastUsedAt() {
        return lastUsedAt;
    }

    public void setLastUsedAt(Long lastUsedAt) {
        this.lastUsedAt = lastUsedAt;
    }
}
