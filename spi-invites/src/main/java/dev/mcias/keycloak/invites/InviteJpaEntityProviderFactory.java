package dev.mcias.keycloak.invites;

import java.util.List;

import dev.mcias.keycloak.common.OwnTablesJpaEntityProviderFactory;

/** Registers the invite table with Keycloak's database. */
public class InviteJpaEntityProviderFactory extends OwnTablesJpaEntityProviderFactory {

    public static final String ID = "mcias-invites";

    public InviteJpaEntityProviderFactory() {
        super(ID, "META-INF/mcias-invites-changelog.xml", List.of(InviteEntity.class));
    }
}
