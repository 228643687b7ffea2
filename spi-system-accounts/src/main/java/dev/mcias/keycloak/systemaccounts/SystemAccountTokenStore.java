package dev.mcias.keycloak.systemaccounts;

import java.util.List;
import java.util.UUID;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import org.keycloak.common.util.Time;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import dev.mcias.keycloak.common.OpaqueToken;

/**
 * Reads and writes the one token slot per system account in Keycloak's database. Rotation locks the row
 * ({@code SELECT ... FOR UPDATE}), so concurrent issuers, on one node or several, serialize in the database and
 * exactly one hash is stored when they are done. The same transaction copies hash and expiry onto the client
 * ({@link #HASH_ATTRIBUTE}, {@link #EXPIRES_ATTRIBUTE}), where client authentication reads them from Keycloak's
 * cluster-invalidated client cache instead of querying the database on every token request.
 */
public final class SystemAccountTokenStore {

    /** last-used time is written at most this often per account and node, to keep token requests read-only. */
    static final long LAST_USED_RESOLUTION_MILLIS = 60_000;
    static final String HASH_ATTRIBUTE = "mcias.token_hash";
    static final String EXPIRES_ATTRIBUTE = "mcias.token_expires_at";
    /** Attribute value for "no token": never empty, since Keycloak drops attributes set to empty values. */
    static final String NO_TOKEN = "none";
    /** Write throttle only (when this node last recorded a use); the time itself lives in the database. */
    private static final java.util.concurrent.ConcurrentMap<String, Long> LAST_USE_WRITTEN =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Bound of the throttle map; past it the map starts over (costing one extra write per account). */
    static final int MAX_TRACKED_ACCOUNTS = 10_000;

    private final KeycloakSession session;

    public SystemAccountTokenStore(KeycloakSession session) {
        this.session = session;
    }

    /**
     * The session's entity manager, asked for only when the database is used: a token check reads the cached client
     * only, and the first request for it in a session opens one (and enlists its transaction).
     */
    private EntityManager em() {
        return session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    /** A freshly issued token; the raw token exists only here and in the response. */
    public record Issued(String token, String fingerprint, long issuedAt, long expiresAt) {
    }

    public enum Check { VALID, NO_TOKEN, WRONG_TOKEN, EXPIRED }

    /** The account was deleted while this request was working on it. */
    public static final class AccountGone extends RuntimeException {
        AccountGone() {
            super("system account deleted concurrently", null, false, false);
        }
    }

    public SystemAccountTokenEntity find(RealmModel realm, ClientModel client) {
        List<SystemAccountTokenEntity> rows = em()
                .createNamedQuery("mciasSaTokenByClient", SystemAccountTokenEntity.class)
                .setParameter("realmId", realm.getId()).setParameter("clientId", client.getId()).getResultList();
        return rows.isEmpty() ? null : rows.get(0);
    }

    /**
     * Creates the empty slot in the current transaction (used when the account is created), with placeholder
     * client attributes: later rotations then only ever update those rows, which concurrent rotations, serialized
     * by the slot lock, can do safely even with a client entity read before the lock.
     */
    public void createSlot(RealmModel realm, ClientModel client) {
        SystemAccountTokenEntity e = new SystemAccountTokenEntity();
        e.setId(UUID.randomUUID().toString());
        e.setRealmId(realm.getId());
        e.setClientId(client.getId());
        em().persist(e);
        client.setAttribute(HASH_ATTRIBUTE, NO_TOKEN);
        client.setAttribute(EXPIRES_ATTRIBUTE, "0");
    }

    private SystemAccountTokenEntity lockSlot(RealmModel realm, ClientModel client) {
        SystemAccountTokenEntity row = lockedRow(realm, client);
        if (row != null) {
            return row;
        }
        // A client switched to our authenticator by hand has no slot yet: create it in its own transaction
        // (a concurrent creator may win; either way one row exists afterwards), then lock it here.
        String realmId = realm.getId();
        String clientId = client.getId();
        try {
            KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), s -> {
                SystemAccountTokenStore other = new SystemAccountTokenStore(s);
                RealmModel r = s.realms().getRealm(realmId);
                ClientModel c = r == null ? null : r.getClientById(clientId);
                if (c != null && other.find(r, c) == null) {
                    other.createSlot(r, c);
                }
            });
        } catch (RuntimeException lostRace) {
            // unique constraint: another request created it
        }
        row = lockedRow(realm, client);
        if (row == null) {
            throw new AccountGone();
        }
        return row;
    }

    private SystemAccountTokenEntity lockedRow(RealmModel realm, ClientModel client) {
        List<SystemAccountTokenEntity> rows = em()
                .createNamedQuery("mciasSaTokenByClient", SystemAccountTokenEntity.class)
                .setParameter("realmId", realm.getId()).setParameter("clientId", client.getId())
                .setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultList();
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** Replaces whatever token the account had with a new one. */
    public Issued issue(RealmModel realm, ClientModel client, String issuer, long ttlSeconds) {
        SystemAccountTokenEntity row = lockSlot(realm, client);
        String token = OpaqueToken.SYSTEM_ACCOUNT.generate();
        long now = Time.currentTimeMillis();
        long expires = now + ttlSeconds * 1000L;
        row.setTokenHash(OpaqueToken.hash(token));
        row.setFingerprint(OpaqueToken.SYSTEM_ACCOUNT.fingerprint(token));
        row.setIssuedAt(now);
        row.setExpiresAt(expires);
        row.setIssuedBy(issuer);
        row.setLastUsedAt(null);
        client.setAttribute(HASH_ATTRIBUTE, row.getTokenHash());
        client.setAttribute(EXPIRES_ATTRIBUTE, Long.toString(expires));
        em().flush();
        return new Issued(token, row.getFingerprint(), now, expires);
    }

    /**
     * Renewal by the account itself: succeeds only if {@code presented} is still the current, unexpired token
     * at the moment the row is locked, so two renewals with the same token cannot both win.
     */
    public Issued renew(RealmModel realm, ClientModel client, String presented, long ttlSeconds) {
        // First against the cached copy, without touching the row: a wrong token costs what an unknown account
        // costs (one hash) and cannot make anonymous callers queue on the row lock.
        if (check(client.getAttribute(HASH_ATTRIBUTE), cachedExpiry(client), presented) != Check.VALID) {
            return null;
        }
        SystemAccountTokenEntity row = lockSlot(realm, client);
        if (check(row, presented) != Check.VALID) {
            return null;
        }
        return issue(realm, client, "self", ttlSeconds);
    }

    /** Removes the token; returns its fingerprint, or null if there was none. */
    public String revoke(RealmModel realm, ClientModel client) {
        SystemAccountTokenEntity row = lockSlot(realm, client);
        String fingerprint = row.getTokenHash() == null ? null : row.getFingerprint();
        row.setTokenHash(null);
        row.setExpiresAt(null);
        client.setAttribute(HASH_ATTRIBUTE, NO_TOKEN);
        client.setAttribute(EXPIRES_ATTRIBUTE, "0");
        em().flush();
        return fingerprint;
    }

    public void delete(RealmModel realm, ClientModel client) {
        LAST_USE_WRITTEN.remove(client.getId());
        em().createNamedQuery("mciasSaTokenDeleteByClient").setParameter("realmId", realm.getId())
                .setParameter("clientId", client.getId()).executeUpdate();
    }

    /**
     * Token check for client authentication, against the client's cached attributes: no database access except a
     * last-used update at most once a minute per account and node.
     */
    public Check verify(RealmModel realm, ClientModel client, String presented) {
        Check result = check(client.getAttribute(HASH_ATTRIBUTE), cachedExpiry(client), presented);
        if (result == Check.VALID) {
            long now = Time.currentTimeMillis();
            Long written = LAST_USE_WRITTEN.get(client.getId());
            if (written == null || now - written > LAST_USED_RESOLUTION_MILLIS) {
                if (LAST_USE_WRITTEN.size() >= MAX_TRACKED_ACCOUNTS) {
                    LAST_USE_WRITTEN.clear();
                }
                LAST_USE_WRITTEN.put(client.getId(), now);
                em().createQuery("update SystemAccountTokenEntity t set t.lastUsedAt = :now"
                                + " where t.realmId = :realmId and t.clientId = :clientId")
                        .setParameter("now", now).setParameter("realmId", realm.getId())
                        .setParameter("clientId", client.getId()).executeUpdate();
            }
        }
        return result;
    }

    private static Long cachedExpiry(ClientModel client) {
        try {
            String e = client.getAttribute(EXPIRES_ATTRIBUTE);
            return e == null || e.isEmpty() ? null : Long.parseLong(e);
        } catch (NumberFormatException ex) {
            return null;
        }
    }

    /** Removes the slots of every account of a realm (the realm is being deleted). */
    public void deleteRealm(String realmId) {
        em().createQuery("delete from SystemAccountTokenEntity t where t.realmId = :realmId")
                .setParameter("realmId", realmId).executeUpdate();
    }

    private static final String NOBODY_HASH = OpaqueToken.hash(OpaqueToken.SYSTEM_ACCOUNT.prefix() + "0".repeat(43));

    /** The work of a token check for an account that does not exist, so both answers take the same time. */
    static void checkNothing(String presented) {
        check(NOBODY_HASH, Long.MAX_VALUE, presented);
    }

    static Check check(SystemAccountTokenEntity row, String presented) {
        return row == null ? Check.NO_TOKEN : check(row.getTokenHash(), row.getExpiresAt(), presented);
    }

    static Check check(String storedHash, Long expiresAt, String presented) {
        if (storedHash == null || storedHash.length() != 64) {
            return Check.NO_TOKEN;
        }
        if (!OpaqueToken.SYSTEM_ACCOUNT.wellFormed(presented)
                || !OpaqueToken.sameHash(storedHash, OpaqueToken.hash(presented))) {
            return Check.WRONG_TOKEN;
        }
        if (expiresAt == null || expiresAt <= Time.currentTimeMillis()) {
            return Check.EXPIRED;
        }
        return Check.VALID;
    }
}
