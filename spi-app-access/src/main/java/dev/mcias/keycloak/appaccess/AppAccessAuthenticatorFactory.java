package dev.mcias.keycloak.appaccess;

/** The browser-flow step: place it REQUIRED after the sign-in (cookie or forms) subflow. */
public class AppAccessAuthenticatorFactory extends AppAccessStepFactory {

    public static final String ID = "mcias-app-access";

    public AppAccessAuthenticatorFactory() {
        super(ID, "MCIAS members-only apps (browser)", "Refuses, with a page naming the app, users without the access"
                + " role of a members-only app. Place it REQUIRED after the sign-in (cookie or forms) subflow.",
                new AppAccessAuthenticator());
    }
}
