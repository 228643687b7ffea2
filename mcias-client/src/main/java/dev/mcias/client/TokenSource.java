package dev.mcias.client;

/** Supplies a current access token for the MCIAS APIs (audience {@code mcias-api}), refreshing as needed. */
@FunctionalInterface
public interface TokenSource {

    String accessToken();
}
