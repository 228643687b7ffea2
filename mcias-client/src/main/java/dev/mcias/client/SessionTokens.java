package dev.mcias.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Set;

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

    private boolean fresh(Session s, long now) {
        return s.accessToken() != null && s.accessTokenExpiresAt() - MARGIN_SECONDS > now;
    }

    @Override
    public synchronized String accessToken() {
        long now = clock.instant().getEpochSecond();
        if (fresh(session, now)) {
            return session.accessToken();
        }
        // Refresh tokens rotate and a reused one ends the session: two mciasctl processes refreshing the same
        // session at once would log it out. Refreshes of a profile are serialized with a lock file, and a
        // process that waited uses what the other one stored.
        try (FileChannel ch = FileChannel.open(store.lockFile(profile), Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ch.lock(); // FileChannel.close() releases it
            Session latest = store.load(profile);
            if (latest == null) {
                throw new NotLoggedInException("logged out meanwhile; run: mciasctl login");
            }
            session = latest;
            if (fresh(session, now)) {
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
            store.save(profile, session);
            return session.accessToken();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot refresh the session: " + e.getMessage(), e);
        }
    }
}
