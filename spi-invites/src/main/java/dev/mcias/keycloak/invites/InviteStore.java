package dev.mcias.keycloak.invites;

import java.util.List;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import dev.mcias.keycloak.common.OpaqueToken;

/** Reads and writes invite rows in Keycloak's database, in the caller's transaction. */
public final class InviteStore {

    private final EntityManager em;

    public InviteStore(KeycloakSession session) {
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    public void add(InviteEntity invite) {
        em.persist(invite);
        em.flush();
    }

    public InviteEntity find(RealmModel realm, String id) {
        InviteEntity e = id == null ? null : em.find(InviteEntity.class, id);
        return e == null || !e.getRealmId().equals(realm.getId()) ? null : e;
    }

    /**
     * The invite whose secret is {@code token}, or null. The row is found by the hash (an indexed equality
     * lookup, so no comparison of the secret runs character by character); the hash is compared once more in
     * constant time to be independent of how the database compares strings.
     */
    public InviteEntity findByToken(RealmModel realm, String token) {
        if (!OpaqueToken.INVITE.wellFormed(token)) {
            return null;
        }
        String hash = OpaqueToken.hash(token);
        List<InviteEntity> rows = em.createNamedQuery("mciasInviteByHash", InviteEntity.class)
                .setParameter("realmId", realm.getId()).setParameter("hash", hash).getResultList();
        return rows.isEmpty() || !OpaqueToken.sameHash(rows.get(0).getTokenHash(), hash) ? null : rows.get(0);
    }

    public List<InviteEntity> list(RealmModel realm, int max) {
        return em.createNamedQuery("mciasInvitesOfRealm", InviteEntity.class)
                .setParameter("realmId", realm.getId()).setMaxResults(max).getResultList();
    }

    /**
     * Marks the invite used by {@code userId} if, at this moment, it is still pending. A single conditional
     * UPDATE: the database takes the row lock, and a concurrent redemption (on this node or another on the same
     * database) waits for it and then finds the condition false, so exactly one wins. Returns whether this one did.
     */
    public boolean consume(String inviteId, String userId, long now) {
        int rows = em.createNamedQuery("mciasInviteConsume")
                .setParameter("now", now).setParameter("userId", userId).setParameter("id", inviteId)
                .executeUpdate();
        return rows == 1;
    }

    /**
     * Whether the invite is pending in the database now: a query of the row, not the entity this transaction may
     * have read before another one redeemed or revoked it (the persistence context keeps the old state).
     */
    public boolean pendingNow(String inviteId, long now) {
        return em.createNamedQuery("mciasInvitePending", Long.class).setParameter("id", inviteId)
                .setParameter("now", now).getSingleResult() == 1;
    }

    /**
     * Revokes an invite unless it was used or revoked already, as one conditional update: a redemption committing
     * at the same time either wins (0 rows here) or finds the invite revoked. Returns whether this call revoked it.
     */
    public boolean revoke(String inviteId, String actor, long now) {
        return em.createNamedQuery("mciasInviteRevoke").setParameter("now", now).setParameter("actor", actor)
                .setParameter("id", inviteId).executeUpdate() == 1;
    }

    /** Deletes a realm's invites that expired before {@code before} (epoch ms); returns how many. */
    public int purge(RealmModel realm, long before) {
        return em.createNamedQuery("mciasInvitePurge").setParameter("realmId", realm.getId())
                .setParameter("before", before).executeUpdate();
    }

    public void deleteRealm(String realmId) {
        em.createNamedQuery("mciasInviteDeleteRealm").setParameter("realmId", realmId).executeUpdate();
    }

    public void deleteClient(String realmId, String clientId) {
        em.createNamedQuery("mciasInviteDeleteClient").setParameter("realmId", realmId)
                .setParameter("clientId", clientId).executeUpdate();
    }
}
