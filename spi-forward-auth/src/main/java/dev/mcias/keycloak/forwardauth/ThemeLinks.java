package dev.mcias.keycloak.forwardauth;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

import org.keycloak.forms.login.freemarker.model.UrlBean;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.theme.Theme;

/**
 * The login theme's links to its own resources (stylesheets, scripts, images), as absolute URLs of Keycloak's
 * frontend instead of the paths Keycloak renders: for pages shown on an app's host, where a path would be the
 * app's. Keycloak serves theme resources to any origin; the module scripts of the theme are not needed by our pages.
 */
final class ThemeLinks extends UrlBean {

    private final String origin;

    private ThemeLinks(RealmModel realm, Theme theme, URI base) {
        super(realm, theme, base, null);
        this.origin = base.getScheme() + "://" + base.getRawAuthority();
    }

    /** A {@code LoginFormsProvider} attribute mapper: the page's {@code url} bean, with absolute resource links. */
    static Map<String, Object> absolute(Map<String, Object> attributes, KeycloakSession session) {
        try {
            Theme theme = session.theme().getTheme(Theme.Type.LOGIN);
            URI base = session.getContext().getUri(org.keycloak.urls.UrlType.FRONTEND).getBaseUri();
            attributes.put("url", new ThemeLinks(session.getContext().getRealm(), theme, base));
        } catch (IOException e) {
            // keep Keycloak's own links: an unstyled page still says what it must
        }
        return attributes;
    }

    @Override
    public String getResourcesPath() {
        return origin + super.getResourcesPath();
    }

    @Override
    public String getResourcesCommonPath() {
        return origin + super.getResourcesCommonPath();
    }
}
