package dev.mcias.keycloak.dbcredentials;

import java.util.List;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

/** Rows of MCIAS_DB_CREDENTIAL and MCIAS_DB_DYNAMIC_ROLE, in the session's transaction. */
public final class DbCredentialStore {

    private final EntityManager em;

    public DbCredentialStore(KeycloakSession session) {
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    /** The configuration of an account (never a retired one: those have their own id as client id). */
    public DbCredentialEntity find(String realmId, String clientId) {
        List<DbCredentialEntity> rows = em.createQuery("select c from DbCredentialEntity c where c.realmId = :r"
                        + " and c.clientId = :c", DbCredentialEntity.class)
                .setParameter("r", realmId).setParameter("c", clientId).getResultList();
        return rows.isEmpty() ? null : rows.get(0);
    }

    public DbCredentialEntity byId(String id) {
        return em.find(DbCredentialEntity.class, id);
    }

    /** Every row of the realm, retired ones included (key rotation re-encrypts them all). */
    public List<DbCredentialEntity> all(String realmId) {
        return em.createQuery("select c from DbCredentialEntity c where c.realmId = :r", DbCredentialEntity.class)
                .setParameter("r", realmId).getResultList();
    }

    public void add(DbCredentialEntity row) {
        em.persist(row);
    }

    public void remove(DbCredentialEntity row) {
        em.remove(row);
    }

    public void addRole(DynamicRoleEntity role) {
        em.persist(role);
    }

    public DynamicRoleEntity role(String name) {
        return em.find(DynamicRoleEntity.class, name);
    }

    public void removeRole(DynamicRoleEntity role) {
        em.remove(role);
    }

    /** Roles created through this configuration and not dropped yet. */
    public List<DynamicRoleEntity> rolesOf(String credentialId) {
        return em.createQuery("select d from DynamicRoleEntity d where d.credentialId = :c", DynamicRoleEntity.class)
                .setParameter("c", credentialId).getResultList();
    }

    /** Expired roles due for a drop attempt (not backing off), oldest first. */
    public List<DynamicRoleEntity> due(long now, int max) {
        return em.createQuery("select d from DynamicRoleEntity d where d.expiresAt <= :now"
                        + " and (d.nextAttemptAt is null or d.nextAttemptAt <= :now) order by d.expiresAt",
                DynamicRoleEntity.class).setParameter("now", now).setMaxResults(max).getResultList();
    }

    /** Retired configurations whose roles are all dropped. */
    public List<DbCredentialEntity> retiredWithoutRoles() {
        return em.createQuery("select c from DbCredentialEntity c where c.mode = :m and not exists"
                        + " (select d from DynamicRoleEntity d where d.credentialId = c.id)", DbCredentialEntity.class)
                .setParameter("m", DbCredentialMode.RETIRED.value()).getResultList();
    }

    /** Number of the realm's roles not dropped yet ({@code stuck}: only those a drop attempt failed for). */
    public long countRoles(String realmId, boolean stuck) {
        return em.createQuery("select count(d) from DynamicRoleEntity d, DbCredentialEntity c"
                        + " where d.credentialId = c.id and c.realmId = :r" + (stuck ? " and d.attempts > 0" : ""),
                Long.class).setParameter("r", realmId).getSingleResult();
    }

    /** The realm's roles a drop attempt failed for, oldest first. */
    public List<DynamicRoleEntity> stuckRoles(String realmId, int max) {
        return em.createQuery("select d from DynamicRoleEntity d, DbCredentialEntity c where d.credentialId = c.id"
                        + " and c.realmId = :r and d.attempts > 0 order by d.expiresAt", DynamicRoleEntity.class)
                .setParameter("r", realmId).setMaxResults(max).getResultList();
    }
}
