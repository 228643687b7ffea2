package dev.mcias.keycloak.systemaccounts;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.keycloak.common.util.Time;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.managers.ClientManager;
import org.keycloak.services.managers.RealmManager;

import dev.mcias.keycloak.common.Caller;
import dev.mcias.keycloak.common.McIasApi;

/**
 * What can be done to system accounts: list, create, delete, issue, renew, revoke; answers are views, never the
 * client or the token row. No access checks and no HTTP here; the resource does those. Everything happens in the
 * caller's transaction.
 */
public final class SystemAccountService {

    /**
     * What the API shows of an account (never its token). A null is left out, as Keycloak's mapper leaves out the
     * nulls of the maps these answers were before.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AccountView(String name, String description, boolean enabled,
                              @JsonProperty("token_ttl") long tokenTtl, TokenStatus token) {
    }

    /** The account's token slot: {@code {present: false}}, or the current token's public facts. */
    public sealed interface TokenStatus permits NoToken, CurrentToken {
    }

    public record NoToken(boolean present) implements TokenStatus {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CurrentToken(boolean present, String fingerprint, @JsonProperty("issued_at") String issuedAt,
                               @JsonProperty("expires_at") String expiresAt,
                               @JsonProperty("issued_by") String issuedBy,
                               @JsonProperty("last_used_at") String lastUsedAt, boolean expired)
            implements TokenStatus {
    }

    /** A newly issued token: the only answer that carries one. */
    public record IssuedView(String name, String token, @JsonProperty("token_type") String tokenType,
                             String fingerprint, @JsonProperty("issued_at") String issuedAt,
                             @JsonProperty("expires_at") String expiresAt) {
        IssuedView(String name, SystemAccountTokenStore.Issued issued) {
            this(name, issued.token(), "system_account", issued.fingerprint(), instant(issued.issuedAt()),
                    instant(issued.expiresAt()));
        }
    }

    /** A renewal's outcome: the new token and who renewed, or why not (for the audit record only). */
    public record Renewal(IssuedView issued, Caller account, String failure) {
        static Renewal failed(String reason) {
            return new Renewal(null, null, reason);
        }
    }

    /** The name is taken by a client, a realm role or the admin role. */
    public static final class NameTaken extends Exception {
        NameTaken() {
            super("a client or realm role with this name exists", null, false, false);
        }
    }

    private final KeycloakSession session;
    private final RealmModel realm;
    private final SystemAccountTokenStore tokens;

    public SystemAccountService(KeycloakSession session) {
        this.session = session;
        this.realm = session.getContext().getRealm();
        this.tokens = new SystemAccountTokenStore(session);
    }

    /** The accounts {@code visible} lets through, as views. */
    List<AccountView> list(Predicate<ClientModel> visible, long defaultTtlSeconds) {
        return realm.getClientsStream().filter(SystemAccounts::isSystemAccount).filter(visible)
                .map(c -> view(c, defaultTtlSeconds)).collect(Collectors.toList());
    }

    AccountView view(ClientModel account, long defaultTtlSeconds) {
        SystemAccountTokenEntity row = tokens.find(realm, account);
        TokenStatus token = row == null || row.getTokenHash() == null ? new NoToken(false)
                : new CurrentToken(true, row.getFingerprint(), instant(row.getIssuedAt()),
                        instant(row.getExpiresAt()), row.getIssuedBy(), instant(row.getLastUsedAt()),
                        row.getExpiresAt() == null || row.getExpiresAt() <= Time.currentTimeMillis());
        return new AccountView(account.getClientId(), account.getDescription(), account.isEnabled(),
                SystemAccounts.ttlSeconds(realm, account, defaultTtlSeconds), token);
    }

    AccountView create(CreateAccountRequest request, String adminRole, long defaultTtlSeconds) throws NameTaken {
        String name = request.name();
        if (realm.getClientByClientId(name) != null || realm.getRole(name) != null || name.equals(adminRole)) {
            throw new NameTaken();
        }
        ClientRepresentation rep = new ClientRepresentation();
        rep.setClientId(name);
        // What the admin console's client list shows: this client is managed here, not edited by hand.
        rep.setName("MCIAS system account " + name);
        rep.setDescription(request.description());
        rep.setEnabled(true);
        rep.setProtocol("openid-connect");
        rep.setPublicClient(false);
        rep.setBearerOnly(false);
        rep.setStandardFlowEnabled(false);
        rep.setImplicitFlowEnabled(false);
        rep.setDirectAccessGrantsEnabled(false);
        rep.setServiceAccountsEnabled(true);
        rep.setFrontchannelLogout(false);
        rep.setClientAuthenticatorType(SystemAccountTokenClientAuthenticatorFactory.ID);
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(SystemAccounts.MARKER_ATTRIBUTE, "true");
        attributes.put("client_credentials.use_refresh_token", "false");
        attributes.put("oauth2.device.authorization.grant.enabled", "false");
        attributes.put("oidc.ciba.grant.enabled", "false");
        if (request.tokenTtl() != null) {
            attributes.put(SystemAccounts.TTL_ATTRIBUTE, Long.toString(request.tokenTtl()));
        }
        rep.setAttributes(attributes);
        ClientModel client = ClientManager.createClient(session, realm, rep);
        client.setSecret(null);
        new ClientManager(new RealmManager(session)).enableServiceAccount(client);
        // The account reads its own DB credentials with a token it requests with scope=mcias-api; its other
        // tokens (the ones it shows to apps) do not carry the audience, so an app cannot replay them here.
        McIasApi.allowOptional(realm, client);
        RoleModel role = realm.addRole(name);
        role.setDescription("May issue tokens and read database credentials for system account " + name);
        tokens.createSlot(realm, client);
        return view(client, defaultTtlSeconds);
    }

    /** Removes the client; its token slot and delegation role follow (the factory's removal listener). */
    void delete(ClientModel account) {
        new ClientManager(new RealmManager(session)).removeClient(realm, account);
    }

    IssuedView issue(ClientModel account, String issuer, long defaultTtlSeconds) {
        return new IssuedView(account.getClientId(), tokens.issue(realm, account, issuer,
                SystemAccounts.ttlSeconds(realm, account, defaultTtlSeconds)));
    }

    /** A new token for account {@code name} if {@code presented} is its own, current token. */
    Renewal renew(String name, PresentedCredentials presented, long defaultTtlSeconds) {
        ClientModel account = SystemAccounts.find(realm, name);
        // The same work (one hash) for an unknown account, another account's credentials and a wrong, expired or
        // revoked token, so the answer's timing does not tell them apart.
        if (account == null || !account.isEnabled() || !name.equals(presented.clientId())) {
            SystemAccountTokenStore.checkNothing(presented.secret());
            return Renewal.failed(account == null ? "unknown_account" : "wrong_account");
        }
        SystemAccountTokenStore.Issued issued;
        try {
            issued = tokens.renew(realm, account, presented.secret(),
                    SystemAccounts.ttlSeconds(realm, account, defaultTtlSeconds));
        } catch (SystemAccountTokenStore.AccountGone gone) {
            return Renewal.failed("unknown_account");
        }
        if (issued == null) {
            return Renewal.failed("invalid_token");
        }
        return new Renewal(new IssuedView(name, issued),
                Caller.systemAccount(realm, account, session.users().getServiceAccount(account)), null);
    }

    /** Removes the token and ends what it was used for; the revoked token's fingerprint, or null. */
    String revoke(ClientModel account) {
        String fingerprint = tokens.revoke(realm, account);
        // Access tokens already issued die with the sessions and the client's not-before, which Keycloak
        // compares in whole seconds (iat < notBefore): +1 also covers tokens issued in this second.
        account.setNotBefore(Math.toIntExact(Time.currentTimeSeconds() + 1));
        UserModel serviceAccount = session.users().getServiceAccount(account);
        if (serviceAccount != null) {
            session.sessions().getUserSessionsStream(realm, serviceAccount).collect(Collectors.toList())
                    .forEach(s -> session.sessions().removeUserSession(realm, s));
        }
        return fingerprint;
    }

    private static String instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis).toString();
    }
}
