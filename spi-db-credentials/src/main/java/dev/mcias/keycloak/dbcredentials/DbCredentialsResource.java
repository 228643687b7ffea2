package dev.mcias.keycloak.dbcredentials;

import java.io.InputStream;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;

import dev.mcias.keycloak.common.Access;
import dev.mcias.keycloak.common.Attempt;
import dev.mcias.keycloak.common.Caller;
import dev.mcias.keycloak.common.Errors;

import dev.mcias.keycloak.systemaccounts.AccountAccess;
import dev.mcias.keycloak.systemaccounts.AccountAccess.Need;

/**
 * {@code /realms/{realm}/db-credentials}: PostgreSQL credentials of system accounts. Read by the account itself,
 * a holder of its role, or an admin; set and removed by an admin. Everyone else, and every unknown account, gets
 * the same 404. Every read and change is an admin event (never with the password). The work is done by
 * {@link DbCredentialService}; this class checks callers (each method's first line, which throws the
 * refusal), maps answers and writes the audit.
 */
@Produces(MediaType.APPLICATION_JSON)
public class DbCredentialsResource {

    static final String RESOURCE_TYPE = "MCIAS_DB_CREDENTIALS";

    private final KeycloakSession session;
    private final RealmModel realm;
    private final DbCredentialsResourceProviderFactory config;
    private final DbCredentialService service;

    public DbCredentialsResource(KeycloakSession session, DbCredentialsResourceProviderFactory config) {
        this.session = session;
        this.realm = session.getContext().getRealm();
        this.config = config;
        this.service = new DbCredentialService(session, config);
    }

    @GET
    @Path("{account}")
    public Response read(@PathParam("account") String name) {
        AccountAccess access = AccountAccess.require(session, name, config.adminRole(), Need.SEE, attempt("read"));
        try {
            DbCredentialService.Credentials body = service.read(realm, access.account(), name);
            audit(access.caller(), OperationType.ACTION, name, "read", body.mode().value());
            return Response.ok(body).header("Cache-Control", "no-store").header("Pragma", "no-cache").build();
        } catch (DbCredentialException e) {
            return error(e);
        }
    }

    @PUT
    @Path("{account}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response set(@PathParam("account") String name, InputStream body) {
        AccountAccess access = AccountAccess.require(session, name, config.adminRole(), Need.ADMIN, attempt("set"));
        Caller caller = access.caller();
        DbCredentialSpec spec;
        try {
            spec = DbCredentialSpec.parse(body);
        } catch (Errors.BadRequest e) {
            return e.response();
        }
        try {
            DbCredentialService.Stored stored = service.set(realm, access.account(), name, spec, caller.name());
            audit(caller, stored.created() ? OperationType.CREATE : OperationType.UPDATE, name, "set",
                    spec.mode().value());
            return Response.ok(stored).build();
        } catch (DbCredentialException e) {
            return error(e);
        }
    }

    @DELETE
    @Path("{account}")
    public Response remove(@PathParam("account") String name) {
        AccountAccess access = AccountAccess.require(session, name, config.adminRole(), Need.ADMIN, attempt("delete"));
        try {
            DbCredentialMode mode = service.remove(realm, access.account(), name, access.caller().name());
            audit(access.caller(), OperationType.DELETE, name, "delete", mode.value());
            return Response.noContent().build();
        } catch (DbCredentialException e) {
            return error(e);
        }
    }

    /** Re-encrypts every stored secret of the realm under the current key; all or nothing. */
    @POST
    @Path("-/rotate-keys")
    public Response rotateKeys() {
        Caller caller = Access.realmRole(session, config.adminRole(), attempt("rotate-keys"));
        try {
            DbCredentialService.Rotated out = service.rotateKeys(realm);
            audit(caller, OperationType.ACTION, "-", "rotate-keys", out.keyId());
            return Response.ok(out).build();
        } catch (DbCredentialException e) {
            return error(e);
        }
    }

    /** Dynamic roles of the realm not dropped yet, and those the reaper cannot drop (admin). */
    @GET
    @Path("-/status")
    public Response status() {
        Access.realmRole(session, config.adminRole(), attempt("status"));
        return Response.ok(service.status(realm)).header("Cache-Control", "no-store").build();
    }

    private static Attempt attempt(String action) {
        return new Attempt(RESOURCE_TYPE, "db-credentials", action);
    }

    private static Response error(DbCredentialException e) {
        return Errors.json(Response.Status.fromStatusCode(e.status()), e.error(), e.getMessage());
    }

    private void audit(Caller caller, OperationType op, String account, String action, String mode) {
        new AdminEventBuilder(realm, caller.adminAuth(), session, session.getContext().getConnection())
                .resource(RESOURCE_TYPE).operation(op).resourcePath("db-credentials", account)
                .detail("account", account).detail("action", action).detail("mode", mode)
                .detail("actor", caller.name()).success();
    }
}
