package dev.mcias.keycloak.appaccess.apps;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/** Serves {@code /realms/{realm}/apps}, the signed-in user's apps page. */
public class AppsPageFactory implements RealmResourceProviderFactory {

    public static final String ID = "apps";

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        // The resource is a class of its own (resources speak HTTP; the provider only hands it out). RESTEasy
        // Reactive serves it only because META-INF/beans.xml makes kc.sh build index this JAR.
        return new RealmResourceProvider() {
            @Override
            public Object getResource() {
                return new AppsPage(session);
            }

            @Override
            public void close() {
            }
        };
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
