package dev.mcias.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A system account acting for itself: its MCIAS token (read from a private file) exchanged for an access token
 * meant for the MCIAS APIs ({@code client_credentials}, {@code scope=mcias-api}), cached until 30 seconds before
 * it expires; {@link #renew()} replaces the token file atomically.
 */
public final class SystemAccountTokens implements TokenSource {

    private static final long MARGIN_SECONDS = 30;

    private final Http http;
    private final String server;
    private final String realm;
    private final String account;
    private final Path tokenFile;
    private final Clock clock;
    private String accessToken;
    private long expiresAt;

    public SystemAccountTokens(Http http, String server, String realm, String account, Path tokenFile, Clock clock) {
        this.http = http;
        this.server = server;
        this.realm = realm;
        this.account = account;
        this.tokenFile = tokenFile;
        this.clock = clock;
    }

    public String account() {
        return account;
    }

    private String mciasToken() {
        try {
            return SecureFiles.readPrivate(tokenFile);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new NotLoggedInException("token file " + tokenFile + " does not exist");
        } catch (IOException e) {
            throw new NotLoggedInException("cannot use token file: " + e.getMessage());
        }
    }

    @Override
    public synchronized String accessToken() {
        long now = clock.instant().getEpochSecond();
        if (accessToken != null && expiresAt - MARGIN_SECONDS > now) {
            return accessToken;
        }
        TokenResponse t;
        try {
            t = new Oidc(http, server, realm).clientCredentials(account, mciasToken(), "mcias-api");
        } catch (NotLoggedInException e) {
            throw e;
        } catch (ApiException e) {
            if (e.status() == 400 || e.status() == 401) {
                throw new NotLoggedInException("system account " + account + " was refused: " + e.getMessage());
            }
            throw e;
        }
        accessToken = t.accessToken();
        expiresAt = now + t.expiresIn();
        return accessToken;
    }

    /**
     * Renews the account's token with the current one and writes the new one to the token file (temp file +
     * rename, 0600). Returns the answer without the token.
     */
    public synchronized JsonNode renew() {
        String url = Oidc.stripSlash(server) + "/realms/" + Http.segment(realm) + "/system-accounts/"
                + Http.segment(account) + "/token/renew";
        JsonNode answer;
        try {
            answer = http.send("POST", url, Http.basic(account, mciasToken()), null, null).json();
        } catch (NotLoggedInException e) {
            throw e;
        } catch (ApiException e) {
            if (e.status() == 401) {
                throw new NotLoggedInException("renewal refused: " + e.getMessage());
            }
            throw e;
        }
        String token = answer.path("token").asText();
        try {
            SecureFiles.writeAtomically(tokenFile, token + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("renewed, but cannot write " + tokenFile + ": " + e.getMessage(), e);
        }
        accessToken = null;
        ObjectNode shown = ((ObjectNode) answer).deepCopy();
        shown.remove("token");
        return shown;
    }
}
