package dev.mcias.keycloak.dbcredentials;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * What the REST resource, the reaper and the account-removal listener do: store, read, remove, rotate keys,
 * create and drop dynamic roles. Throws {@link DbCredentialException} for every answer that is not a success;
 * messages and logs never hold a secret.
 */
public final class DbCredentialService {

    private static final Logger LOG = Logger.getLogger(DbCredentialService.class);
    /** Expired roles one reaper run looks at (roles in backoff are not among them). */
    static final int REAP_BATCH = 100;
    /** Longest wait between two attempts to drop a role that could not be dropped. */
    static final long MAX_BACKOFF_MILLIS = 3600_000L;
    /** Stuck roles listed in the status answer. */
    static final int STATUS_LIST = 20;

    private final KeycloakSession session;
    private final DbCredentialsResourceProviderFactory config;
    private final DbCredentialStore store;

    /*
     * The answers. Keys the API leaves out when they have no value are NON_NULL; every other null is written or not
     * as the server's mapper writes nulls (Keycloak's leaves them out), so the format is the one of the former maps.
     */

    /** The read answer: a login; {@code options} only when set, {@code expires_at} in dynamic mode. */
    public record Credentials(DbCredentialMode mode, String host, int port, String database, String username,
                              String password, String sslmode,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String options, String uri,
                              @JsonProperty("expires_at") @JsonInclude(JsonInclude.Include.NON_NULL) String expiresAt) {
        /** Never the password. */
        @Override
        public String toString() {
            return "Credentials[" + mode + " " + username + "@" + host + ":" + port + "/" + database + "]";
        }
    }

    /**
     * The PUT answer: the stored settings, never the password; group role and TTL in dynamic mode only.
     * {@code created}, whether the PUT created the configuration, is for the audit, not the answer.
     */
    public record Stored(String account, DbCredentialMode mode, String host, int port, String database,
                         String username, String sslmode, String options,
                         @JsonProperty("group_role") @JsonInclude(JsonInclude.Include.NON_NULL) String groupRole,
                         @JsonProperty("ttl_seconds") @JsonInclude(JsonInclude.Include.NON_NULL) Long ttlSeconds,
                         @JsonProperty("key_id") String keyId, @JsonIgnore boolean created) {
    }

    public record Rotated(int rotated, @JsonProperty("key_id") String keyId) {
    }

    public record Status(@JsonProperty("dynamic_roles") long dynamicRoles,
                         @JsonProperty("stuck_roles") long stuckRoles, List<StuckRole> stuck) {
    }

    public record StuckRole(String role, @JsonProperty("expires_at") String expiresAt, int attempts,
                            @JsonProperty("next_attempt_at") String nextAttemptAt,
                            @JsonProperty("last_error") String lastError) {
    }

    public DbCredentialService(KeycloakSession session, DbCredentialsResourceProviderFactory config) {
        this.session = session;
        this.config = config;
        this.store = new DbCredentialStore(session);
    }

    /** Associated data: binds a ciphertext to its row. */
    static String context(DbCredentialEntity row) {
        return row.getRealmId() + "|" + row.getClientId() + "|" + row.getId();
    }

    private SecretBox box() {
        if (!config.hasKeyFile()) {
            throw DbCredentialException.noKeyFile();
        }
        try {
            return config.secretBox();
        } catch (IllegalStateException e) {
            LOG.errorf("db-credentials: %s", e.getMessage());
            throw new DbCredentialException(500, "key_unavailable", "the key file cannot be read");
        }
    }

    private String decrypt(SecretBox box, DbCredentialEntity row, String account) {
        try {
            return box.decrypt(row.getKeyId(), row.getSecret(), context(row));
        } catch (SecretBox.KeyUnavailableException e) {
            LOG.errorf("db-credentials for %s unreadable: %s", account, e.getMessage());
            throw DbCredentialException.keyUnavailable();
        }
    }

    /** The mode of the account's configuration (for the audit), or 404 {@code not_configured}. */
    public DbCredentialMode mode(RealmModel realm, ClientModel account) {
        DbCredentialEntity row = store.find(realm.getId(), account.getId());
        if (row == null) {
            throw DbCredentialException.notConfigured();
        }
        return row.getMode();
    }

    /** The credentials: the stored login, or in dynamic mode a new role. */
    public Credentials read(RealmModel realm, ClientModel account, String name) {
        DbCredentialEntity row = store.find(realm.getId(), account.getId());
        if (row == null) {
            throw DbCredentialException.notConfigured();
        }
        String secret = decrypt(box(), row, name);
        if (row.getMode() == DbCredentialMode.STATIC) {
            return connection(row, row.getUsername(), secret, null);
        }
        return createDynamicRole(name, row, secret);
    }

    private static Credentials connection(DbCredentialEntity row, String user, String password, Instant expires) {
        return new Credentials(row.getMode(), row.getHost(), row.getPort(), row.getDatabase(), user, password,
                row.getSslmode(), row.getOptions(), PostgresRoles.uri(user, password, row.getHost(), row.getPort(),
                row.getDatabase(), row.getSslmode(), row.getOptions()), expires == null ? null : expires.toString());
    }

    /**
     * Records the role (committed) before creating it, so the reaper can always find it. If creation fails
     * before the statement reached the server, or the server refused it, the record is removed again; if the
     * connection broke while the statement was under way the record stays, expired, and the reaper drops the
     * role if it exists.
     */
    private Credentials createDynamicRole(String name, DbCredentialEntity row, String adminPassword) {
        String role = PostgresRoles.newRoleName();
        String password = PostgresRoles.newPassword();
        long now = System.currentTimeMillis();
        Instant expires = Instant.ofEpochMilli(now + row.getTtlSeconds() * 1000L);
        String credentialId = row.getId();
        KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), s -> {
            DynamicRoleEntity d = new DynamicRoleEntity();
            d.setRoleName(role);
            d.setCredentialId(credentialId);
            d.setCreatedAt(now);
            d.setExpiresAt(expires.toEpochMilli());
            new DbCredentialStore(s).addRole(d);
        });
        boolean sent = false;
        try (Connection conn = PostgresRoles.connect(row, adminPassword)) {
            sent = true;
            PostgresRoles.create(conn, role, password, expires, row.getGroupRole());
        } catch (SQLException e) {
            boolean transientFailure = PostgresRoles.transientFailure(e);
            boolean maybeCreated = sent && transientFailure && e.getSQLState() != null && e.getSQLState().startsWith("08");
            LOG.warnf("db-credentials: cannot create a login role for account %s at %s:%d/%s as %s: %s", name,
                    row.getHost(), row.getPort(), row.getDatabase(), row.getUsername(), PostgresRoles.describe(e));
            KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), s -> {
                DbCredentialStore st = new DbCredentialStore(s);
                DynamicRoleEntity d = st.role(role);
                if (d == null) {
                    return;
                }
                if (maybeCreated) {
                    d.setExpiresAt(System.currentTimeMillis());
                } else {
                    st.removeRole(d);
                }
            });
            throw transientFailure ? unavailable() : misconfigured(e);
        }
        return connection(row, role, password, expires);
    }

    private static DbCredentialException unavailable() {
        return new DbCredentialException(503, "database_unavailable",
                "the account's database is unavailable; try again later");
    }

    private static DbCredentialException misconfigured(SQLException e) {
        return new DbCredentialException(502, "database_misconfigured", "the account's database refused the"
                + " configured connection or role creation (SQLState " + e.getSQLState() + "); an admin must correct"
                + " the db-credentials settings or the database");
    }

    /** Stores settings and secret; in dynamic mode only after the connection role proved it can do its job. */
    public Stored set(RealmModel realm, ClientModel account, String name, DbCredentialSpec spec, String actor) {
        SecretBox box = box();
        if (spec.dynamic()) {
            verifyConnectionRole(name, spec);
        }
        DbCredentialEntity row = store.find(realm.getId(), account.getId());
        boolean created = row == null;
        if (created) {
            row = new DbCredentialEntity();
            row.setId(UUID.randomUUID().toString());
            row.setRealmId(realm.getId());
            row.setClientId(account.getId());
        } else if (row.getMode() == DbCredentialMode.DYNAMIC && (!spec.dynamic() || !sameServerAndRole(row, spec))) {
            retire(row, box, name, actor);
        }
        row.setMode(spec.mode());
        row.setHost(spec.host());
        row.setPort(spec.port());
        row.setDatabase(spec.database());
        row.setUsername(spec.username());
        row.setSslmode(spec.sslmode());
        row.setOptions(spec.options());
        row.setGroupRole(spec.groupRole());
        row.setTtlSeconds(spec.ttlSeconds());
        row.setKeyId(box.currentKeyId());
        row.setSecret(box.encrypt(spec.password(), context(row)));
        row.setUpdatedAt(System.currentTimeMillis());
        row.setUpdatedBy(actor);
        if (created) {
            store.add(row);
        }
        return new Stored(name, row.getMode(), row.getHost(), row.getPort(), row.getDatabase(), row.getUsername(),
                row.getSslmode(), row.getOptions(), row.getGroupRole(),
                row.getGroupRole() == null ? null : row.getTtlSeconds(), row.getKeyId(), created);
    }

    private static boolean sameServerAndRole(DbCredentialEntity row, DbCredentialSpec spec) {
        return row.getHost().equals(spec.host()) && row.getPort() == spec.port()
                && row.getDatabase().equals(spec.database()) && row.getUsername().equals(spec.username());
    }

    /** Connects as the dynamic-mode connection role and checks its privileges: 400 with what to grant. */
    private void verifyConnectionRole(String name, DbCredentialSpec spec) {
        DbCredentialEntity probe = new DbCredentialEntity();
        probe.setHost(spec.host());
        probe.setPort(spec.port());
        probe.setDatabase(spec.database());
        probe.setUsername(spec.username());
        probe.setSslmode(spec.sslmode());
        List<String> missing;
        try (Connection conn = PostgresRoles.connect(probe, spec.password())) {
            missing = PostgresRoles.missingPrivileges(conn, spec.groupRole());
        } catch (SQLException e) {
            LOG.warnf("db-credentials: checking the connection role of account %s at %s:%d/%s as %s failed: %s",
                    name, spec.host(), spec.port(), spec.database(), spec.username(), PostgresRoles.describe(e));
            if (PostgresRoles.transientFailure(e)) {
                throw new DbCredentialException(503, "database_unavailable", "the database cannot be reached to"
                        + " check the connection role; nothing was stored; try again later");
            }
            throw new DbCredentialException(400, "database_refused", "the database refused the connection role: "
                    + PostgresRoles.describe(e) + "; nothing was stored");
        }
        if (!missing.isEmpty()) {
            throw new DbCredentialException(400, "insufficient_privileges", "the connection role "
                    + PostgresRoles.quoteIdentifier(spec.username()) + " lacks what dynamic mode needs: "
                    + String.join("; ", missing) + ". Nothing was stored.");
        }
    }

    /**
     * Hands the roles still alive under a dynamic configuration to a retired copy of its connection (its own row,
     * re-encrypted for it) and makes them due now: they are dropped by the next reaper run, never forgotten.
     */
    private void retire(DbCredentialEntity row, SecretBox box, String name, String actor) {
        List<DynamicRoleEntity> roles = store.rolesOf(row.getId());
        if (roles.isEmpty()) {
            return;
        }
        String secret = decrypt(box, row, name);
        DbCredentialEntity retired = new DbCredentialEntity();
        retired.setId(UUID.randomUUID().toString());
        retired.setRealmId(row.getRealmId());
        retired.setClientId(retired.getId());
        retired.setMode(DbCredentialMode.RETIRED);
        retired.setHost(row.getHost());
        retired.setPort(row.getPort());
        retired.setDatabase(row.getDatabase());
        retired.setUsername(row.getUsername());
        retired.setSslmode(row.getSslmode());
        retired.setOptions(row.getOptions());
        retired.setGroupRole(row.getGroupRole());
        retired.setTtlSeconds(row.getTtlSeconds());
        retired.setKeyId(box.currentKeyId());
        retired.setSecret(box.encrypt(secret, context(retired)));
        retired.setUpdatedAt(System.currentTimeMillis());
        retired.setUpdatedBy(actor);
        store.add(retired);
        expireNow(roles, retired.getId());
        LOG.infof("db-credentials: %d dynamic role(s) of account %s revoked; the reaper drops them", roles.size(), name);
    }

    private static void expireNow(List<DynamicRoleEntity> roles, String credentialId) {
        long now = System.currentTimeMillis();
        for (DynamicRoleEntity d : roles) {
            d.setCredentialId(credentialId);
            d.setExpiresAt(Math.min(d.getExpiresAt(), now));
            d.setNextAttemptAt(null);
        }
    }

    /** Removes the configuration; its dynamic roles still alive are revoked (dropped by the next reaper run). */
    public DbCredentialMode remove(RealmModel realm, ClientModel account, String name, String actor) {
        DbCredentialEntity row = store.find(realm.getId(), account.getId());
        if (row == null) {
            throw DbCredentialException.notConfigured();
        }
        DbCredentialMode mode = row.getMode();
        if (mode == DbCredentialMode.DYNAMIC && !store.rolesOf(row.getId()).isEmpty()) {
            retire(row, box(), name, actor);
        }
        store.remove(row);
        return mode;
    }

    /**
     * The account itself is being removed (in the same transaction): its configuration goes, except that a dynamic
     * one with roles still alive stays as a retired row (same id, so its ciphertext still decrypts) until the
     * reaper has dropped them, which it does at its next run.
     */
    public void accountRemoved(String realmId, String clientId) {
        DbCredentialEntity row = store.find(realmId, clientId);
        if (row == null) {
            return;
        }
        List<DynamicRoleEntity> roles = row.getMode() == DbCredentialMode.STATIC ? List.of() : store.rolesOf(row.getId());
        if (roles.isEmpty()) {
            store.remove(row);
            return;
        }
        row.setMode(DbCredentialMode.RETIRED);
        expireNow(roles, row.getId());
        LOG.infof("db-credentials: account %s removed; its %d dynamic role(s) are dropped by the reaper", clientId,
                roles.size());
    }

    /** Re-encrypts every stored secret of the realm under the current key; all or nothing. */
    public Rotated rotateKeys(RealmModel realm) {
        SecretBox box = box();
        int rotated = 0;
        for (DbCredentialEntity row : store.all(realm.getId())) {
            if (row.getKeyId().equals(box.currentKeyId())) {
                continue;
            }
            String plain;
            try {
                plain = box.decrypt(row.getKeyId(), row.getSecret(), context(row));
            } catch (SecretBox.KeyUnavailableException e) {
                session.getTransactionManager().setRollbackOnly();
                throw new DbCredentialException(409, "key_unavailable", "a stored secret needs key " + row.getKeyId()
                        + ", which is not in the key file; nothing changed");
            }
            row.setKeyId(box.currentKeyId());
            row.setSecret(box.encrypt(plain, context(row)));
            rotated++;
        }
        return new Rotated(rotated, box.currentKeyId());
    }

    /** Roles of the realm not dropped yet, and those a drop failed for (stuck), with why. */
    public Status status(RealmModel realm) {
        List<StuckRole> stuck = new ArrayList<>();
        for (DynamicRoleEntity d : store.stuckRoles(realm.getId(), STATUS_LIST)) {
            stuck.add(new StuckRole(d.getRoleName(), Instant.ofEpochMilli(d.getExpiresAt()).toString(), d.getAttempts(),
                    d.getNextAttemptAt() == null ? null : Instant.ofEpochMilli(d.getNextAttemptAt()).toString(),
                    d.getLastError()));
        }
        return new Status(store.countRoles(realm.getId(), false), store.countRoles(realm.getId(), true), stuck);
    }

    /**
     * One reaper run: drops expired roles (and revoked ones) through the connection that created them. A role
     * that cannot be dropped gets an exponential backoff (reaper interval doubled per attempt, at most an hour),
     * its error recorded and counted as stuck, and never holds up the others. Warnings for one role are logged
     * at attempts 1, 2, 4, 8, ... only.
     */
    public void reap(long now, long intervalMillis) {
        Map<String, List<DynamicRoleEntity>> byConnection = new LinkedHashMap<>();
        for (DynamicRoleEntity d : store.due(now, REAP_BATCH)) {
            byConnection.computeIfAbsent(d.getCredentialId(), k -> new ArrayList<>()).add(d);
        }
        for (Map.Entry<String, List<DynamicRoleEntity>> e : byConnection.entrySet()) {
            reapThrough(store.byId(e.getKey()), e.getValue(), now, intervalMillis);
        }
        for (DbCredentialEntity retired : store.retiredWithoutRoles()) {
            store.remove(retired);
        }
    }

    /** The account a configuration belongs to, for logs: its name, or its id once it is removed. */
    private String accountName(DbCredentialEntity c) {
        RealmModel realm = session.realms().getRealm(c.getRealmId());
        ClientModel client = realm == null ? null : session.clients().getClientById(realm, c.getClientId());
        return client == null ? "(removed account " + c.getClientId() + ")" : client.getClientId();
    }

    private void reapThrough(DbCredentialEntity c, List<DynamicRoleEntity> roles, long now, long intervalMillis) {
        if (c == null || c.getMode() == DbCredentialMode.STATIC) {
            failAll(roles, null, "no dynamic connection configuration left to drop it through", now, intervalMillis);
            return;
        }
        String secret;
        try {
            secret = box().decrypt(c.getKeyId(), c.getSecret(), context(c));
        } catch (DbCredentialException | SecretBox.KeyUnavailableException e) {
            failAll(roles, c, "connection secret unavailable: " + e.getMessage(), now, intervalMillis);
            return;
        }
        List<DynamicRoleEntity> left = new ArrayList<>(roles);
        try (Connection conn = PostgresRoles.connect(c, secret)) {
            while (!left.isEmpty()) {
                DynamicRoleEntity d = left.get(0);
                try {
                    PostgresRoles.drop(conn, d.getRoleName());
                    store.removeRole(d);
                    if (d.getAttempts() > 0) {
                        LOG.infof("db-credentials: role %s dropped after %d failed attempt(s)", d.getRoleName(),
                                d.getAttempts());
                    }
                } catch (SQLException ex) {
                    fail(d, c, PostgresRoles.describe(ex), now, intervalMillis);
                    if (conn.isClosed() || !conn.isValid(5)) {
                        left.remove(0);
                        throw ex;
                    }
                }
                left.remove(0);
            }
        } catch (SQLException ex) {
            failAll(left, c, "cannot connect as " + c.getUsername() + " to " + c.getHost() + ":" + c.getPort() + "/"
                    + c.getDatabase() + ": " + PostgresRoles.describe(ex), now, intervalMillis);
        }
    }

    private void failAll(List<DynamicRoleEntity> roles, DbCredentialEntity c, String error, long now,
                         long intervalMillis) {
        for (DynamicRoleEntity d : roles) {
            fail(d, c, error, now, intervalMillis);
        }
    }

    private void fail(DynamicRoleEntity d, DbCredentialEntity c, String error, long now, long intervalMillis) {
        int attempts = d.getAttempts() + 1;
        long backoff = Math.min(MAX_BACKOFF_MILLIS,
                Math.max(1000L, intervalMillis) << Math.min(attempts - 1, 20));
        d.setAttempts(attempts);
        d.setNextAttemptAt(now + backoff);
        d.setLastError(error);
        if (Integer.bitCount(attempts) == 1) {
            LOG.warnf("db-credentials: cannot drop expired role %s%s (attempt %d, next in %d s): %s", d.getRoleName(),
                    c == null ? "" : " of account " + accountName(c) + " at " + c.getHost() + ":" + c.getPort() + "/"
                            + c.getDatabase(), attempts, backoff / 1000, error);
        }
    }
}
