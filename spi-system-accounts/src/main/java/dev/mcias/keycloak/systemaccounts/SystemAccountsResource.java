package dev.mcias.keycloak.systemaccounts;

import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.common.util.Time;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;

import dev.mcias.keycloak.common.Access;
import dev.mcias.keycloak.common.Attempt;
import dev.mcias.keycloak.common.Caller;
import dev.mcias.keycloak.common.Errors;
import dev.mcias.keycloak.common.OpaqueToken;
import dev.mcias.keycloak.systemaccounts.AccountAccess.Need;

/**
 * {@code /realms/{realm}/system-accounts}: create, list, inspect and delete system accounts; issue, renew and
 * revoke their token. Every method starts with its access check, which throws the refusal. Callers who may not
 * see an account get the same 404 as for an account that does not exist.
 */
@Produces(MediaType.APPLICATION_JSON)
public class SystemAccountsResource {

    static final String RESOURCE_TYPE = "MCIAS_SYSTEM_ACCOUNT";

    private final KeycloakSession session;
    private final RealmModel realm;
    private final String adminRole;
    private final long defaultTtlSeconds;
    private final SystemAccountService service;

    public SystemAccountsResource(KeycloakSession session, String adminRole, long defaultTtlSeconds) {
        this.session = session;
        this.realm = session.getContext().getRealm();
        this.adminRole = adminRole;
        this.defaultTtlSeconds = defaultTtlSeconds;
        this.service = new SystemAccountService(session);
    }

    @GET
    public Response list() {
        Caller caller = Access.caller(session);
        List<Map<String, Object>> visible = realm.getClientsStream()
                .filter(SystemAccounts::isSystemAccount)
                .filter(c -> AccountAccess.maySee(caller, c, adminRole))
                .map(this::status)
                .collect(Collectors.toList());
        return Response.ok(visible).build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(InputStream body) {
        Caller caller = Access.realmRole(session, adminRole, attempt("create"));
        ClientModel client;
        try {
            client = service.create(CreateAccountRequest.parse(body), adminRole);
        } catch (Errors.BadRequest e) {
            return e.response();
        } catch (SystemAccountService.NameTaken e) {
            return Errors.json(Response.Status.CONFLICT, "conflict", e.getMessage());
        }
        audit(caller, OperationType.CREATE, client.getClientId(), null, "create");
        return Response.status(Response.Status.CREATED)
                .location(session.getContext().getUri().getAbsolutePathBuilder().path(client.getClientId()).build())
                .entity(status(client)).build();
    }

    @GET
    @Path("{name}")
    public Response get(@PathParam("name") String name) {
        AccountAccess access = AccountAccess.require(session, name, adminRole, Need.SEE, attempt("read"));
        return Response.ok(status(access.account())).build();
    }

    @DELETE
    @Path("{name}")
    public Response delete(@PathParam("name") String name) {
        AccountAccess access = AccountAccess.require(session, name, adminRole, Need.ADMIN, attempt("delete"));
        service.delete(access.account());
        audit(access.caller(), OperationType.DELETE, name, null, "delete");
        return Response.noContent().build();
    }

    @POST
    @Path("{name}/token")
    public Response issue(@PathParam("name") String name) {
        AccountAccess access = AccountAccess.require(session, name, adminRole, Need.DELEGATE, attempt("issue"));
        SystemAccountTokenStore.Issued issued;
        try {
            issued = service.issue(access.account(), access.caller().name(), defaultTtlSeconds);
        } catch (SystemAccountTokenStore.AccountGone gone) {
            return Errors.notFound();
        }
        audit(access.caller(), OperationType.ACTION, name, issued.fingerprint(), "issue");
        return issuedResponse(access.account(), issued);
    }

    @POST
    @Path("{name}/token/renew")
    public Response renew(@PathParam("name") String name) {
        PresentedCredentials presented = PresentedCredentials.from(session.getContext().getHttpRequest());
        if (presented.clientId() == null || presented.secret() == null) {
            return Errors.unauthorized();
        }
        ClientModel account = SystemAccounts.find(realm, name);
        // Same answer, and the same work (one hash, one audit record), for an unknown account, another account's
        // credentials and a wrong, expired or revoked token.
        if (account == null || !account.isEnabled() || !name.equals(presented.clientId())) {
            SystemAccountTokenStore.checkNothing(presented.secret());
            return failedRenewal(name, presented.secret(), account == null ? "unknown_account" : "wrong_account");
        }
        SystemAccountTokenStore.Issued issued;
        try {
            issued = service.renew(account, presented.secret(), defaultTtlSeconds);
        } catch (SystemAccountTokenStore.AccountGone gone) {
            return failedRenewal(name, presented.secret(), "unknown_account");
        }
        if (issued == null) {
            return failedRenewal(name, presented.secret(), "invalid_token");
        }
        UserModel serviceAccount = session.users().getServiceAccount(account);
        audit(Caller.systemAccount(realm, account, serviceAccount), OperationType.ACTION, name, issued.fingerprint(),
                "renew");
        return issuedResponse(account, issued);
    }

    /** Records the failed presentation as Keycloak records a failed client login, then answers 401. */
    private Response failedRenewal(String name, String presentedToken, String reason) {
        EventBuilder event = new EventBuilder(realm, session, session.getContext().getConnection())
                .event(EventType.CLIENT_LOGIN_ERROR)
                .detail("action", "renew").detail("reason", reason);
        if (SystemAccounts.validName(name)) {
            event.client(name).detail("system_account", name);
        }
        if (OpaqueToken.SYSTEM_ACCOUNT.wellFormed(presentedToken)) {
            event.detail("token_fingerprint", OpaqueToken.SYSTEM_ACCOUNT.fingerprint(presentedToken));
        }
        event.error("invalid_client_credentials");
        return Errors.invalidToken();
    }

    @DELETE
    @Path("{name}/token")
    public Response revoke(@PathParam("name") String name) {
        AccountAccess access = AccountAccess.require(session, name, adminRole, Need.ADMIN, attempt("revoke"));
        String fingerprint;
        try {
            fingerprint = service.revoke(access.account());
        } catch (SystemAccountTokenStore.AccountGone gone) {
            return Errors.notFound();
        }
        audit(access.caller(), OperationType.ACTION, name, fingerprint, "revoke");
        return Response.noContent().build();
    }

    private static Attempt attempt(String action) {
        return new Attempt(RESOURCE_TYPE, "system-accounts", action);
    }

    private Response issuedResponse(ClientModel account, SystemAccountTokenStore.Issued issued) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", account.getClientId());
        body.put("token", issued.token());
        body.put("token_type", "system_account");
        body.put("fingerprint", issued.fingerprint());
        body.put("issued_at", Instant.ofEpochMilli(issued.issuedAt()).toString());
        body.put("expires_at", Instant.ofEpochMilli(issued.expiresAt()).toString());
        return Response.ok(body).header("Cache-Control", "no-store").header("Pragma", "no-cache").build();
    }

    private Map<String, Object> status(ClientModel account) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", account.getClientId());
        out.put("description", account.getDescription());
        out.put("enabled", account.isEnabled());
        out.put("token_ttl", SystemAccounts.ttlSeconds(realm, account, defaultTtlSeconds));
        SystemAccountTokenEntity row = service.slot(account);
        Map<String, Object> token = new LinkedHashMap<>();
        boolean present = row != null && row.getTokenHash() != null;
        token.put("present", present);
        if (present) {
            token.put("fingerprint", row.getFingerprint());
            token.put("issued_at", instant(row.getIssuedAt()));
            token.put("expires_at", instant(row.getExpiresAt()));
            token.put("issued_by", row.getIssuedBy());
            token.put("last_used_at", instant(row.getLastUsedAt()));
            token.put("expired", row.getExpiresAt() == null || row.getExpiresAt() <= Time.currentTimeMillis());
        }
        out.put("token", token);
        return out;
    }

    private static String instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis).toString();
    }

    private void audit(Caller caller, OperationType operation, String name, String fingerprint, String action) {
        AdminEventBuilder event = new AdminEventBuilder(realm, caller.adminAuth(), session,
                session.getContext().getConnection())
                .resource(RESOURCE_TYPE).operation(operation)
                .resourcePath("system-accounts", name)
                .detail("account", name).detail("action", action).detail("actor", caller.name());
        if (fingerprint != null) {
            event.detail("fingerprint", fingerprint);
        }
        event.success();
    }
}
