package dev.mcias.keycloak.forwardauth;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.keycloak.Token;
import org.keycloak.TokenCategory;

/**
 * What the two cookies hold, signed with the realm's internal HMAC key ({@code session.tokens()}, only its
 * algorithm accepted). Keycloak verifies by key id, passive keys included: adding a new HMAC key signs nobody out;
 * disabling or deleting the key a cookie was signed with does (the next check sends them through sign-in, which
 * their SSO session usually makes silent). {@link #type} tells the two apart and from every other token Keycloak signs.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SignedCookie implements Token {

    public static final String SESSION = "mcias-forward-auth-session";
    public static final String LOGIN = "mcias-forward-auth-login";

    @JsonProperty("typ")
    public String type;
    /** Realm id: a cookie of another realm is worthless here. */
    @JsonProperty("realm")
    public String realm;
    /** Client id of the app: a cookie of app A is worthless on app B. */
    @JsonProperty("azp")
    public String app;
    @JsonProperty("exp")
    public long expires;
    /**
     * SESSION: the cookie domain of a cookie shared by the apps of that domain ({@link #app} is then the app it was
     * signed in at, whose client session holds the nonce); null for an app's own host-only cookie.
     */
    @JsonProperty("dom")
    public String domain;
    /** SESSION: the Keycloak user session. */
    @JsonProperty("sid")
    public String sessionId;
    /**
     * SESSION: random, also kept as a note on the app's client session ({@link ForwardAuth#NONCE_NOTE}); a copy
     * of an older cookie of the same user session (from before a logout) names a nonce no session holds.
     */
    @JsonProperty("nonce")
    public String nonce;
    /** LOGIN: the OAuth state, the PKCE verifier and where to return. */
    @JsonProperty("state")
    public String state;
    @JsonProperty("pkce")
    public String verifier;
    @JsonProperty("rd")
    public String returnUrl;

    @Override
    public TokenCategory getCategory() {
        return TokenCategory.INTERNAL;
    }

    /** Whether this is a live cookie of {@code type} for {@code app} in {@code realm}. */
    public boolean valid(String type, String realmId, String clientId, long now) {
        return type.equals(this.type) && realmId.equals(realm) && clientId.equals(app) && now < expires;
    }

    /**
     * Whether this is a live session cookie in {@code realm} for an app: its own host-only one ({@code cookieDomain}
     * null), or the one of its cookie domain, signed in at any app of that domain.
     */
    public boolean validSession(String realmId, String clientId, String cookieDomain, long now) {
        if (!SESSION.equals(type) || !realmId.equals(realm) || app == null || sessionId == null || now >= expires) {
            return false;
        }
        return cookieDomain == null ? domain == null && clientId.equals(app) : cookieDomain.equals(domain);
    }
}
