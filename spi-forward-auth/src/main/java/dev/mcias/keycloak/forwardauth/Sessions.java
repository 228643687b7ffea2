package dev.mcias.keycloak.forwardauth;

import org.keycloak.models.RealmModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.models.utils.SessionExpirationUtils;

final class Sessions {

    private Sessions() {
    }

    /** When the SSO session ends at the latest (seconds): the app cookie never outlives it. */
    static long maxExpiry(RealmModel realm, UserSessionModel userSession) {
        long ms = SessionExpirationUtils.calculateUserSessionMaxLifespanTimestamp(false, userSession.isRememberMe(),
                userSession.getStarted() * 1000L, realm);
        return ms > 0 ? ms / 1000L : userSession.getStarted() + 10L * 3600L;
    }
}
