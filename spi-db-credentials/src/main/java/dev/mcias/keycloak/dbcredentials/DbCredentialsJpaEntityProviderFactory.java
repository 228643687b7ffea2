package dev.mcias.keycloak.dbcredentials;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProvider;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/** Registers the credential tables and its Liquibase changelog with Keycloak's own database. */
public class DbCredentialsJpaEntityProviderFactory implements JpaEntityProviderFactory, JpaEntityProvider {

    public static final String ID = "mcias-db-credentials";

    @Override
    public List<Class<?>> getEntities() {
        return List.of(DbCredentialEntity.class, DynamicRoleEntity.class);
    }

    @Override
    public String getChangelogLocation() {
        return "META-INF/mcias-db-credentials-changelog.xml";
    }

    @Override
    public String getFactoryId() {
        return ID;
    }

    @Override
    public JpaEntityProvider create(KeycloakSession session) {
        return this;
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return ID;
    }
}
