package dev.mcias.keycloak.systemaccounts;

import java.util.List;

import dev.mcias.keycloak.common.OwnTablesJpaEntityProviderFactory;

/** Registers the token table with Keycloak's database. */
public class SystemAccountJpaEntityProviderFactory extends OwnTablesJpaEntityProviderFactory {

    public static final String ID = "mcias-system-accounts";

    public SystemAccountJpaEntityProviderFactory() {
        super(ID, "META-INF/mcias-system-accounts-changelog.xml", List.of(SystemAccountTokenEntity.class));
    }
}
