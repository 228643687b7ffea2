package dev.mcias.keycloak.systemaccounts;

import java.util.List;

/** Registers the token table with Keycloak's database. */
public class SystemAccountJpaEntityProviderFactory extends OwnTablesJpaEntityProviderFactory {

    public static final String ID = "mcias-system-accounts";

    public SystemAccountJpaEntityProviderFactory() {
        super(ID, "META-INF/mcias-system-accounts-changelog.xml", List.of(SystemAccountTokenEntity.class));
    }
}
