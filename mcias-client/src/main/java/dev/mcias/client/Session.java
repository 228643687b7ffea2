package dev.mcias.client;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A signed-in CLI session as stored on disk (mode 0600): where, as whom, and the tokens. {@code toString} shows
 * no token.
 */
public record Session(
        @JsonProperty("server") String server,
        @JsonProperty("realm") String realm,
        @JsonProperty("client_id") String clientId,
        @JsonProperty("username") String username,
        @JsonProperty("refresh_token") String refreshToken,
        @JsonProperty("access_token") String accessToken,
        @JsonProperty("access_token_expires_at") long accessTokenExpiresAt) {

    public Session withTokens(String refresh, String access, long accessExpiresAt) {
        return new Session(server, realm, clientId, username, refresh, access, accessExpiresAt);
    }

    @Override
    public String toString() {
        return "Session[server=" + server + ", realm=" + realm + ", clientId=" + clientId + ", username=" + username + "]";
    }
}
