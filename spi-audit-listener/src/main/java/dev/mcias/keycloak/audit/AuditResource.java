package dev.mcias.keycloak.audit;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.keycloak.common.util.Time;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.util.JsonSerialization;

import dev.mcias.keycloak.audit.checkpoint.CheckpointApi;
import dev.mcias.keycloak.audit.webhook.WebhookDeliveries;
import dev.mcias.keycloak.common.Caller;
import dev.mcias.keycloak.common.Errors;
import dev.mcias.keycloak.common.Refusals;

/**
 * {@code /realms/{realm}/audit}: read, export and verify the realm's audit chain (realm role admin or
 * realm-management's view-events), purge by retention (admin).
 */
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    static final int MAX_LIMIT = 500;

    private final KeycloakSession session;
    private final RealmModel realm;
    private final String adminRole;
    private final int retentionDays;

    public AuditResource(KeycloakSession session, String adminRole, int retentionDays) {
        this.session = session;
        this.realm = session.getContext().getRealm();
        this.adminRole = adminRole;
        this.retentionDays = retentionDays;
    }

    static final String RESOURCE_TYPE = "MCIAS_AUDIT";

    /** {@code GET /events}: a page, and the cursor of the next one (left out when this page is the last). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Events(List<AuditRecords.View> events, @JsonProperty("next_cursor") String nextCursor) {
    }

    record Purged(long purged, @JsonProperty("retention_days") int retentionDays) {
    }

    record ChainBroken(String error, @JsonProperty("error_description") String errorDescription,
                       @JsonProperty("first_broken") AuditStore.Broken firstBroken) {
    }

    /** null when allowed, else the refusal (recorded). */
    private Response refuseReader(Caller caller) {
        if (caller == null) {
            return Errors.unauthorized();
        }
        if (caller.hasRealmRole(adminRole)
                || caller.hasClientRole(Constants.REALM_MANAGEMENT_CLIENT_ID, "view-events")) {
            return null;
        }
        Refusals.record(session, caller, RESOURCE_TYPE, "audit", null, false, "read", "forbidden");
        return Errors.forbidden();
    }

    @GET
    @Path("events")
    public Response events(@QueryParam("type") String type, @QueryParam("user") String user,
                           @QueryParam("client") String client, @QueryParam("outcome") String outcome,
                           @QueryParam("from") String from, @QueryParam("to") String to,
                           @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        Response refused = refuseReader(Caller.fromBearer(session));
        if (refused != null) {
            return refused;
        }
        AuditStore.Query q;
        try {
            if (outcome != null && !outcome.equals("success") && !outcome.equals("error")) {
                throw new Errors.BadRequest("outcome must be success or error");
            }
            int n = limit == null ? 100 : parseInt(limit, "limit");
            if (n < 1 || n > MAX_LIMIT) {
                throw new Errors.BadRequest("limit must be between 1 and " + MAX_LIMIT);
            }
            q = AuditStore.Query.newestFirst(n).type(bounded(type)).userId(bounded(user)).clientId(bounded(client))
                    .outcome(outcome).from(time(from, "from")).to(time(to, "to"))
                    .beforeSeq(cursor == null ? null : parseLong(cursor, "cursor")).build();
        } catch (Errors.BadRequest e) {
            return e.response();
        }
        List<AuditRecords.View> page = new AuditStore(session).views(realm.getId(), q);
        return Response.ok(new Events(page, page.size() == q.limit() ? Long.toString(page.get(page.size() - 1).seq())
                : null)).build();
    }

    @GET
    @Path("export")
    @Produces("application/x-ndjson")
    public Response export(@QueryParam("format") String format, @QueryParam("from") String from,
                           @QueryParam("to") String to) {
        Response refused = refuseReader(Caller.fromBearer(session));
        if (refused != null) {
            return refused;
        }
        Long fromMillis;
        Long toMillis;
        try {
            if (format != null && !format.equals("ndjson")) {
                throw new Errors.BadRequest("format must be ndjson");
            }
            fromMillis = time(from, "from");
            toMillis = time(to, "to");
        } catch (Errors.BadRequest e) {
            return e.response();
        }
        String realmId = realm.getId();
        KeycloakSessionFactory factory = session.getKeycloakSessionFactory();
        long checkpointsThrough = fromMillis == null && toMillis == null ? CheckpointApi.newestIndex(session, realmId)
                : 0;
        // Written after this request's session is gone, so it reads through a session of its own, in batches.
        StreamingOutput stream = out -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            long[] after = {0};
            boolean[] more = {true};
            while (more[0]) {
                KeycloakModelUtils.runJobInTransaction(factory, s -> {
                    List<AuditRecords.View> batch = new AuditStore(s).views(realmId, AuditStore.Query
                            .oldestFirst(AuditStore.BATCH).from(fromMillis).to(toMillis).afterSeq(after[0]).build());
                    for (AuditRecords.View r : batch) {
                        try {
                            w.write(JsonSerialization.writeValueAsString(r));
                            w.write('\n');
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        after[0] = r.seq();
                    }
                    more[0] = batch.size() == AuditStore.BATCH;
                });
            }
            // The full export (no from/to) ends with the signed checkpoints as of its start, for offline
            // verification (mciasctl audit verify --file); a time slice cannot be verified on its own anyway.
            CheckpointApi.export(factory, realmId, checkpointsThrough, w);
            w.flush();
        };
        return Response.ok(stream, "application/x-ndjson").header("Cache-Control", "no-store").build();
    }

    @GET
    @Path("verify")
    public Response verify() {
        Response refused = refuseReader(Caller.fromBearer(session));
        if (refused != null) {
            return refused;
        }
        AuditStore.Verification v = new AuditStore(session).verify(realm.getId());
        return Response.ok(CheckpointApi.verifyBody(session, realm.getId(), v)).build();
    }

    /**
     * The public keys that verify checkpoints: public on purpose (an outsider verifying an export needs them, and
     * they reveal nothing); pin them out of band rather than trusting this answer at verification time.
     */
    @GET
    @Path("checkpoint-keys")
    public Response checkpointKeys() {
        return Response.ok(CheckpointApi.publicKeys(session.getKeycloakSessionFactory()))
                .header("Cache-Control", "no-cache").build();
    }

    /** The webhook outbox of the realm: newest deliveries, optionally of one status, and counts per status. */
    @GET
    @Path("webhooks/deliveries")
    public Response webhookDeliveries(@QueryParam("status") String status, @QueryParam("limit") String limit) {
        Response refused = refuseReader(Caller.fromBearer(session));
        if (refused != null) {
            return refused;
        }
        return WebhookDeliveries.list(session, realm, status, limit);
    }

    @POST
    @Path("purge")
    public Response purge() {
        Caller caller = Caller.fromBearer(session);
        if (caller == null) {
            return Errors.unauthorized();
        }
        if (!caller.hasRealmRole(adminRole)) {
            Refusals.record(session, caller, RESOURCE_TYPE, "audit", null, false, "purge", "forbidden");
            return Errors.forbidden();
        }
        if (retentionDays == 0) {
            return Errors.json(Response.Status.CONFLICT, "retention_disabled",
                    "retention-days is 0: records are kept forever");
        }
        long cutoff = Time.currentTimeMillis() - retentionDays * 86_400_000L;
        AuditStore store = new AuditStore(session);
        store.deliverWebhooksAfterCommit();
        AuditStore.PurgeResult result = store.purge(realm.getId(), cutoff, caller.user().getId());
        if (result.refused()) {
            // A returned (not thrown) answer: the transaction commits, and with it the audited refusal.
            AuditStore.Verification v = result.refusedBecause();
            return Response.status(Response.Status.CONFLICT).type(MediaType.APPLICATION_JSON)
                    .entity(new ChainBroken("chain_broken", "the records to purge do not verify (record "
                            + v.brokenSeq() + ": " + v.reason() + "); nothing was deleted", v.broken())).build();
        }
        return Response.ok(new Purged(result.purged(), retentionDays)).build();
    }

    private static String bounded(String s) throws Errors.BadRequest {
        if (s != null && s.length() > 255) {
            throw new Errors.BadRequest("filter values are at most 255 characters");
        }
        return s;
    }

    private static Long time(String s, String name) throws Errors.BadRequest {
        if (s == null) {
            return null;
        }
        if (s.chars().allMatch(Character::isDigit) && !s.isEmpty() && s.length() <= 15) {
            return Long.parseLong(s);
        }
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new Errors.BadRequest(name + " must be an ISO-8601 instant or epoch milliseconds");
        }
    }

    private static long parseLong(String s, String name) throws Errors.BadRequest {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new Errors.BadRequest(name + " must be a number");
        }
    }

    private static int parseInt(String s, String name) throws Errors.BadRequest {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new Errors.BadRequest(name + " must be a number");
        }
    }
}
