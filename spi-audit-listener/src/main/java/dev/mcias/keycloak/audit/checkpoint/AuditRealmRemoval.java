package dev.mcias.keycloak.audit.checkpoint;

import jakarta.persistence.EntityManager;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;

/**
 * A removed realm takes its audit rows with it (as Keycloak's own event store does), in the removing
 * transaction: checkpoints, records and the chain head.
 */
public final class AuditRealmRemoval {

    private AuditRealmRemoval() {
    }

    public static void register(KeycloakSessionFactory factory) {
        factory.register(event -> {
            if (event instanceof RealmModel.RealmRemovedEvent removed) {
                EntityManager em = Checkpointer.em(removed.getKeycloakSession());
                String realmId = removed.getRealm().getId();
                for (String entity : new String[] {"AuditCheckpointEntity", "AuditRecordEntity",
                        "AuditChainHeadEntity"}) {
                    em.createQuery("delete from " + entity + " e where e.realmId = :realm")
                            .setParameter("realm", realmId).executeUpdate();
                }
            }
        });
    }
}
