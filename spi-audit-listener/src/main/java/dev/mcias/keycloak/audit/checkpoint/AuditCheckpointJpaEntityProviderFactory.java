package dev.mcias.keycloak.audit.checkpoint;

import java.util.List;

import dev.mcias.keycloak.common.OwnTablesJpaEntityProviderFactory;

/** Registers the checkpoint table (its own changelog, beside the audit tables'). */
public class AuditCheckpointJpaEntityProviderFactory extends OwnTablesJpaEntityProviderFactory {

    public static final String ID = "mcias-audit-checkpoint";

    public AuditCheckpointJpaEntityProviderFactory() {
        super(ID, "META-INF/mcias-audit-checkpoint-changelog.xml", List.of(AuditCheckpointEntity.class));
    }
}
