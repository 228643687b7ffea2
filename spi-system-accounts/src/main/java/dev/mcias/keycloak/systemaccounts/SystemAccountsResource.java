package dev.mcias.keycloak.systemaccounts;

import java.io.InputStream;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
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
        return Response.ok(service.list(c -> AccountAccess.maySee(caller, c, adminRole), defaultTtlSeconds)).build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(InputStream body) {
        Caller caller = Access.realmRole(session, adminRole, attempt("create"));
        SystemAccountService.AccountView created;
        try {
            created = service.create(CreateAccountRequest.parse(body), adminRole, defaultTtlSeconds);
        } catch (Errors.BadRequest e) {
            return e.response();
        } catch (SystemAccountService.NameTaken e) {
            return Errors.json(Response.Status.CONFLICT, "conflict", e.getMessage());
        }
        audit(caller, OperationType.CREATE, created.name(), null, "create");
        return Response.status(Response.Status.CREATED)
                .location(session.getContext().getUri().getAbsolutePathBuilder().path(created.name()).build())
                .entity(created).build();
    }

    @GET
    @Path("{name}")
    public Response get(@PathParam("name") String name) {
        AccountAccess access = AccountAccess.require(session, name, adminRole, Need.SEE, attempt("read"));
        return Response.ok(service.view(access.account(), defaultTtlSeconds)).build();
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
        SystemAccountService.IssuedView issued;
        try {
            issued = service.issue(access.account(), access.caller().name(), defaultTtlSeconds);
        } catch (SystemAccountTokenStore.AccountGone gone) {
            return Errors.notFound();
        }
        audit(access.caller(), OperationType.ACTION, name, issued.fingerprint(), "issue");
        return issuedResponse(issued);
    }

    @POST
    @Path("{name}/token/renew")
    public Response renew(@PathParam("name") String name) {
        PresentedCredentials presented = PresentedCredentials.from(session.getContext().getHttpRequest());
        if (presented.clientId() == null || presented.secret() == null) {
            return Errors.unauthorized();
        }
        // Same answer and audit record for an unknown account, another account's credentials and a wrong,
        // expired or revoked token.
        SystemAccountService.Renewal renewal = service.renew(name, presented, defaultTtlSeconds);
        if (renewal.issued() == null) {
            return failedRenewal(name, presented.secret(), renewal.failure());
        }
        audit(renewal.account(), OperationType.ACTION, name, renewal.issued().fingerprint(), "renew");
        return issuedResponse(renewal.issued());
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

    private static Response issuedResponse(SystemAccountService.IssuedView issued) {
        return Response.ok(issued).header("Cache-Control", "no-store").header("Pragma", "no-cache").build();
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
