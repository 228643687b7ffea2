package dev.mcias.keycloak.invites;

import java.io.InputStream;
import java.util.regex.Pattern;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;

import dev.mcias.keycloak.common.Caller;
import dev.mcias.keycloak.common.Errors;
import dev.mcias.keycloak.common.Refusals;

/**
 * {@code /realms/{realm}/invites}: the admin API (create, list, show, revoke; bearer token with the admin role)
 * and the two pages of the link itself ({@code accept}, anonymous: the secret in the link is the credential).
 */
@Produces(MediaType.APPLICATION_JSON)
public class InvitesResource {

    static final String RESOURCE_TYPE = "MCIAS_INVITE";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final KeycloakSession session;
    private final RealmModel realm;
    private final String adminRole;

    public InvitesResource(KeycloakSession session, String adminRole) {
        this.session = session;
        this.realm = session.getContext().getRealm();
        this.adminRole = adminRole;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(InputStream body) {
        Caller caller = Caller.fromBearer(session);
        if (caller == null) {
            return Errors.unauthorized();
        }
        if (!caller.hasRealmRole(adminRole)) {
            Refusals.record(session, caller, RESOURCE_TYPE, "invites", null, false, "create", "forbidden");
            return Errors.forbidden();
        }
        InviteService.Created created;
        try {
            created = new InviteService(session).create(CreateInviteRequest.parse(body), caller.name());
        } catch (Errors.BadRequest e) {
            return e.response();
        } catch (InviteService.Conflict e) {
            return Errors.json(Response.Status.CONFLICT, "conflict", e.getMessage());
        }
        InviteService.InviteView invite = created.invite();
        AdminEventBuilder event = event(caller, OperationType.CREATE, invite.id(), "create")
                .detail("roles", String.join(",", invite.roles())).detail("expires_at", invite.expiresAt());
        if (invite.app() != null) {
            event.detail("app", invite.app());
        }
        if (invite.username() != null) {
            event.detail("username", invite.username());
        }
        event.success();
        return Response.status(Response.Status.CREATED)
                .location(session.getContext().getUri().getAbsolutePathBuilder().path(invite.id()).build())
                .header("Cache-Control", "no-store").header("Pragma", "no-cache")
                .entity(created).build();
    }

    @GET
    public Response list() {
        Caller caller = Caller.fromBearer(session);
        if (caller == null) {
            return Errors.unauthorized();
        }
        if (!caller.hasRealmRole(adminRole)) {
            Refusals.record(session, caller, RESOURCE_TYPE, "invites", null, false, "list", "forbidden");
            return Errors.forbidden();
        }
        return Response.ok(new InviteService(session).list()).build();
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
        Caller caller = Caller.fromBearer(session);
        if (caller == null) {
            return Errors.unauthorized();
        }
        boolean wellFormed = id != null && ID.matcher(id).matches();
        if (!caller.hasRealmRole(adminRole)) {
            Refusals.record(session, caller, RESOURCE_TYPE, "invites", id, wellFormed, "read", "forbidden");
            return Errors.forbidden();
        }
        InviteService.InviteView invite = wellFormed ? new InviteService(session).find(id) : null;
        return invite == null ? notFound() : Response.ok(invite).build();
    }

    @DELETE
    @Path("{id}")
    public Response revoke(@PathParam("id") String id) {
        Caller caller = Caller.fromBearer(session);
        if (caller == null) {
            return Errors.unauthorized();
        }
        boolean wellFormed = id != null && ID.matcher(id).matches();
        if (!caller.hasRealmRole(adminRole)) {
            Refusals.record(session, caller, RESOURCE_TYPE, "invites", id, wellFormed, "revoke", "forbidden");
            return Errors.forbidden();
        }
        InviteService.Revoke outcome = wellFormed ? new InviteService(session).revoke(id, caller.name())
                : InviteService.Revoke.UNKNOWN;
        return switch (outcome) {
            case UNKNOWN -> notFound();
            case ALREADY_USED -> Errors.json(Response.Status.CONFLICT, "conflict", "the invite was already used");
            case REVOKED -> {
                event(caller, OperationType.DELETE, id, "revoke").success();
                yield Response.noContent().build();
            }
        };
    }

    /** The link: the registration form, or the one page for every link that cannot be used. */
    @GET
    @Path("accept")
    @Produces(MediaType.TEXT_HTML)
    public Response acceptForm(@QueryParam("invite") String invite) {
        return new InviteRedemption(session, adminRole).show(invite);
    }

    @POST
    @Path("accept")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response accept(MultivaluedMap<String, String> form) {
        return new InviteRedemption(session, adminRole).redeem(form);
    }

    private static Response notFound() {
        return Errors.json(Response.Status.NOT_FOUND, "not_found", "no such invite");
    }

    private AdminEventBuilder event(Caller caller, OperationType operation, String id, String action) {
        return new AdminEventBuilder(realm, caller.adminAuth(), session, session.getContext().getConnection())
                .resource(RESOURCE_TYPE).operation(operation).resourcePath("invites", id)
                .detail("invite_id", id).detail("action", action).detail("actor", caller.name());
    }
}
