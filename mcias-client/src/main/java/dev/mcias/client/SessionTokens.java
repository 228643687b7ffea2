package dev.mcias.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;

/**
 * Access tokens of a stored CLI session: the stored one while it has more than 30 seconds left, else a refresh
 * (the realm rotates refresh tokens: the new pair is saved at once, atomically).
 */
public final class SessionTokens implements TokenSource {

    private static final long MARGIN_SECONDS = 30;

    private final Http http;
    private final SessionStore store;
    private final String profile;
    private final Clock clock;
    private Session session;

    public SessionTokens(Http http, SessionStore store, String profile, Session session, Clock clock) {
        this.http = http;
        this.store = store;
        this.profile = profile;
        this.session = session;
        this.clock = clock;
    }

    public Session session() {
        return session;
    }

    @Override
    public synchronized String accessToken() {
        long now = clock.instant().getEpochSecond();
        if (session.accessToken() != null && session.accessTokenExpiresAt() - MARGIN_SECONDS > now) {
            return session.accessToken();
        }
        TokenResponse t;
        try {
            t = new Oidc(http, session.server(), session.realm()).refresh(session.clientId(), session.refreshToken());
        } catch (ApiException e) {
            if (e.status() == 400 || e.status() == 401) {
                throw new NotLoggedInException("the session has ended (" + e.getMessage() + "); run: mciasctl login");
            }
            throw e;
        }
        session = session.withTokens(t.refreshToken() != null ? t.refreshToken() : session.refreshToken(),
                t.accessToken(), now + t.expiresIn());
        try {
            store.save(profile, session);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the session: " + e.getMessage(), e);
        }
        return session.accessToken();
    }
}
