package dev.mcias.keycloak.dbcredentials;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The database credentials configured for one system account. Static mode: the login itself. Dynamic mode: the
 * connection (a role allowed to CREATEROLE) and the group role that generated roles join. The password is only
 * ever stored as AES-256-GCM ciphertext with the id of its key.
 */
@Entity
@Table(name = "MCIAS_DB_CREDENTIAL")
public class DbCredentialEntity {

    public static final int SECRET_LENGTH = 2048;

    @Id
    @Column(name = "ID", length = 36)
    private String id;
    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;
    @Column(name = "CLIENT_ID", length = 36, nullable = false)
    private String clientId;
    @Column(name = "MODE", length = 16, nullable = false)
    private String mode;
    @Column(name = "HOST", length = 255, nullable = false)
    private String host;
    @Column(name = "PORT", nullable = false)
    private int port;
    @Column(name = "DATABASE_NAME", length = 63, nullable = false)
    private String database;
    @Column(name = "USERNAME", length = 63, nullable = false)
    private String username;
    @Column(name = "SSLMODE", length = 16, nullable = false)
    private String sslmode;
    @Column(name = "OPTIONS", length = 512)
    private String options;
    @Column(name = "GROUP_ROLE", length = 63)
    private String groupRole;
    @Column(name = "TTL_SECONDS")
    private Long ttlSeconds;
    /** Sized by changeSet mcias-db-credentials-2 for the longest password (1024 bytes): see {@link #SECRET_LENGTH}. */
    @Column(name = "SECRET", length = SECRET_LENGTH, nullable = false)
    private String secret;
    @Column(name = "KEY_ID", length = 32, nullable = false)
    private String keyId;
    @Column(name = "UPDATED_AT", nullable = false)
    private long updatedAt;
    @Column(name = "UPDATED_BY", length = 255)
    private String updatedBy;

    public String getId() { return id; }
    public void setId(String v) { id = v; }
    public String getRealmId() { return realmId; }
    public void setRealmId(String v) { realmId = v; }
    public String getClientId() { return clientId; }
    public void setClientId(String v) { clientId = v; }
    public DbCredentialMode getMode() { return DbCredentialMode.of(mode); }
    public void setMode(DbCredentialMode v) { mode = v.value(); }
    public String getHost() { return host; }
    public void setHost(String v) { host = v; }
    public int getPort() { return port; }
    public void setPort(int v) { port = v; }
    public String getDatabase() { return database; }
    public void setDatabase(String v) { database = v; }
    public String getUsername() { return username; }
    public void setUsername(String v) { username = v; }
    public String getSslmode() { return sslmode; }
    public void setSslmode(String v) { sslmode = v; }
    public String getOptions() { return options; }
    public void setOptions(String v) { options = v; }
    public String getGroupRole() { return groupRole; }
    public void setGroupRole(String v) { groupRole = v; }
    public Long getTtlSeconds() { return ttlSeconds; }
    public void setTtlSeconds(Long v) { ttlSeconds = v; }
    public String getSecret() { return secret; }
    public void setSecret(String v) { secret = v; }
    public String getKeyId() { return keyId; }
    public void setKeyId(String v) { keyId = v; }
    public long getUpdatedAt() { return updatedAt; }
    public void setUpdatedAt(long v) { updatedAt = v; }
    public String getUpdatedBy() { return updatedBy; }
    public void setUpdatedBy(String v) { updatedBy = v; }
}
