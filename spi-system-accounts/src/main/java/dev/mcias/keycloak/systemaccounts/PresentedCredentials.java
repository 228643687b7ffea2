package dev.mcias.keycloak.systemaccounts;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import org.keycloak.OAuth2Constants;
import org.keycloak.http.HttpRequest;
import org.keycloak.util.BasicAuthHelper;

/**
 * Client id and secret as a caller sent them: HTTP Basic (RFC 6749 encoding) first, else the form parameters
 * {@code client_id}/{@code client_secret}; either part null if absent.
 */
record PresentedCredentials(String clientId, String secret) {

    static PresentedCredentials from(HttpRequest request) {
        String authorization = request.getHttpHeaders().getRequestHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            String[] pair = BasicAuthHelper.RFC6749.parseHeader(authorization);
            if (pair != null) {
                return new PresentedCredentials(pair[0], pair[1]);
            }
        }
        MediaType type = request.getHttpHeaders().getMediaType();
        if (type != null && type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)) {
            MultivaluedMap<String, String> form = request.getDecodedFormParameters();
            return new PresentedCredentials(form.getFirst(OAuth2Constants.CLIENT_ID),
                    form.getFirst(OAuth2Constants.CLIENT_SECRET));
        }
        return new PresentedCredentials(null, null);
    }
}
