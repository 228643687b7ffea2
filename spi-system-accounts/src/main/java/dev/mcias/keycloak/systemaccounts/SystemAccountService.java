package dev.mcias.keycloak.systemaccounts;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.keycloak.common.util.Time;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.managers.ClientManager;
import org.keycloak.services.managers.RealmManager;

import dev.mcias.keycloak.common.McIasApi;

/**
 * What can be done to system accounts: create, delete, issue, renew, revoke. No access checks and no HTTP here;
 * the resource does those. Everything happens in the caller's transaction.
 */
public final class SystemAccountService {

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

    ClientModel create(CreateAccountRequest request, String adminRole) throws NameTaken {
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
        return client;
    }

    /** Removes the client; its token slot and delegation role follow (the factory's removal listener). */
    void delete(ClientModel account) {
        new ClientManager(new RealmManager(session)).removeClient(realm, account);
    }

    SystemAccountTokenStore.Issued issue(ClientModel account, String issuer, long defaultTtlSeconds) {
        return tokens.issue(realm, account, issuer, SystemAccounts.ttlSeconds(realm, account, defaultTtlSeconds));
    }

    /** A new token if {@code presented} is the account's current token; null otherwise. */
    SystemAccountTokenStore.Issued renew(ClientModel account, String presented, long defaultTtlSeconds) {
        return tokens.renew(realm, account, presented, SystemAccounts.ttlSeconds(realm, account, defaultTtlSeconds));
    }

    /** Removes the token and ends what it was used for; the revoked token's fingerprint, or null. */
    String revoke(ClientModel account) {
        String fingerprint = tokens.revoke(realm, account);
        // Access tokens already issued die with the sessions and the client's not-before, which Keycloak
        // compares in whole seconds (iat < notBefore): +1 also covers tokens issued in this second.
        account.setNotBefore(Time.currentTime() + 1);
        UserModel serviceAccount = session.users().getServiceAccount(account);
        if (serviceAccount != null) {
            session.sessions().getUserSessionsStream(realm, serviceAccount).collect(Collectors.toList())
                    .forEach(s -> session.sessions().removeUserSession(realm, s));
        }
        return fingerprint;
    }

    SystemAccountTokenEntity slot(ClientModel account) {
        return tokens.find(realm, account);
    }
}
