package dev.mcias.keycloak.audit;

import java.util.List;

import dev.mcias.keycloak.audit.webhook.WebhookOutboxEntity;
import dev.mcias.keycloak.common.OwnTablesJpaEntityProviderFactory;

/** Registers the audit tables with Keycloak's database. */
public class AuditJpaEntityProviderFactory extends OwnTablesJpaEntityProviderFactory {

    public static final String ID = "mcias-audit";

    public AuditJpaEntityProviderFactory() {
        super(ID, "META-INF/mcias-audit-changelog.xml", List.of(AuditRecordEntity.class, AuditChainHeadEntity.class,
                WebhookOutboxEntity.class));
    }
}
