package dev.mcias.client;

import com.fasterxml.jackson.databind.JsonNode;

/** What the token endpoint answers; {@code toString} shows no token. */
public record TokenResponse(String accessToken, String refreshToken, long expiresIn, long refreshExpiresIn,
        String scope) {

    static TokenResponse fromJson(JsonNode n) {
        return new TokenResponse(n.path("access_token").asText(null), n.path("refresh_token").asText(null),
                n.path("expires_in").asLong(60), n.path("refresh_expires_in").asLong(0), n.path("scope").asText(null));
    }

    @Override
    public String toString() {
        return "TokenResponse[expiresIn=" + expiresIn + ", refreshExpiresIn=" + refreshExpiresIn + ", scope=" + scope + "]";
    }
}
