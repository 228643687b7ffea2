package dev.mcias.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The refresh decisions that need no server (the unreachable URL proves no request is made). */
class SessionTokensTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
    static final long NOW = CLOCK.instant().getEpochSecond();

    @TempDir
    Path dir;

    Session session(String access, long expiresAt) {
        return new Session("http://127.0.0.1:9", "mcias", "mciasctl", "u", "refresh-1", access, expiresAt);
    }

    @Test
    void aValidStoredAccessTokenIsUsedWithoutARequest() {
        SessionStore store = new SessionStore(dir.resolve("mciasctl"));
        SessionTokens t = new SessionTokens(new Http(), store, "default", session("access-1", NOW + 120), CLOCK);
        assertEquals("access-1", t.accessToken());
    }

    @Test
    void aProcessThatWaitedForTheLockUsesWhatTheOtherOneStored() throws Exception {
        SessionStore store = new SessionStore(dir.resolve("mciasctl"));
        // This process read an expired token; meanwhile another one refreshed and saved a new pair.
        store.save("default", session("access-2", NOW + 300));
        SessionTokens t = new SessionTokens(new Http(), store, "default", session("access-1", NOW + 10), CLOCK);
        assertEquals("access-2", t.accessToken());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.lockFile("default"))));
    }

    @Test
    void anExpiredSessionRefreshesAndAnUnreachableServerIsAnError() throws Exception {
        SessionStore store = new SessionStore(dir.resolve("mciasctl"));
        store.save("default", session("access-1", NOW + 10));
        SessionTokens t = new SessionTokens(new Http(), store, "default", store.load("default"), CLOCK);
        ApiException e = assertThrows(ApiException.class, t::accessToken);
        assertEquals("connection_failed", e.error());
    }

    @Test
    void loggedOutMeanwhileIsNotLoggedIn() throws Exception {
        SessionStore store = new SessionStore(dir.resolve("mciasctl"));
        SecureFiles.ensurePrivateDirectory(store.directory());
        SessionTokens t = new SessionTokens(new Http(), store, "default", session(null, 0), CLOCK);
        assertThrows(NotLoggedInException.class, t::accessToken);
    }
}
