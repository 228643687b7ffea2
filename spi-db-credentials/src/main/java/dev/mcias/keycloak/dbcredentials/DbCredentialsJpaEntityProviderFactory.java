package dev.mcias.keycloak.dbcredentials;

import java.util.List;

import dev.mcias.keycloak.common.OwnTablesJpaEntityProviderFactory;

/** Registers the credential tables with Keycloak's database. */
public class DbCredentialsJpaEntityProviderFactory extends OwnTablesJpaEntityProviderFactory {

    public static final String ID = "mcias-db-credentials";

    public DbCredentialsJpaEntityProviderFactory() {
        super(ID, "META-INF/mcias-db-credentials-changelog.xml", List.of(DbCredentialEntity.class, DynamicRoleEntity.class));
    }
}
