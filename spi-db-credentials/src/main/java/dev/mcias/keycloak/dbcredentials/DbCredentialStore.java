package dev.mcias.keycloak.dbcredentials;

import java.util.List;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

/** Rows of MCIAS_DB_CREDENTIAL and MCIAS_DB_DYNAMIC_ROLE. */
public final class DbCredentialStore {

    private final EntityManager em;

    public DbCredentialStore(KeycloakSession session) {
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    public EntityManager em() {
        return em;
    }

    public DbCredentialEntity find(String realmId, String clientId) {
        List<DbCredentialEntity> rows = em.createQuery("select c from DbCredentialEntity c where c.realmId = :r"
                        + " and c.clientId = :c", DbCredentialEntity.class)
                .setParameter("r", realmId).setParameter("c", clientId).getResultList();
        return rows.isEmpty() ? null : rows.get(0);
    }

    public List<DbCredentialEntity> all(String realmId) {
        return em.createQuery("select c from DbCredentialEntity c where c.realmId = :r", DbCredentialEntity.class)
                .setParameter("r", realmId).getResultList();
    }

    public List<DynamicRoleEntity> expired(long now, int max) {
        return em.createQuery("select d from DynamicRoleEntity d where d.expiresAt <= :now order by d.expiresAt",
                DynamicRoleEntity.class).setParameter("now", now).setMaxResults(max).getResultList();
    }
}
