package dev.mcias.keycloak.appaccess;

/** The direct-grant step: place it REQUIRED, last in the direct-grant flow. */
public class AppAccessDirectGrantAuthenticatorFactory extends AppAccessStepFactory {

    public static final String ID = "mcias-app-access-direct-grant";

    public AppAccessDirectGrantAuthenticatorFactory() {
        super(ID, "MCIAS members-only apps (direct grant)", "Refuses the password grant (400 access_denied) to users"
                + " without the access role of a members-only app. Place it REQUIRED, last in the direct-grant flow.",
                new AppAccessDirectGrantAuthenticator());
    }
}
