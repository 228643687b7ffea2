package dev.mcias.keycloak.dbcredentials;

import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.jboss.logging.Logger;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.services.resources.admin.AdminEventBuilder;

import dev.mcias.keycloak.common.Caller;
import dev.mcias.keycloak.common.Errors;
import dev.mcias.keycloak.common.JsonBodies;
import dev.mcias.keycloak.common.Refusals;

import dev.mcias.keycloak.systemaccounts.AccountAccess;

/**
 * {@code /realms/{realm}/db-credentials}: PostgreSQL credentials of system accounts. Read by the account itself,
 * a holder of its role, or an admin; set and removed by an admin. Everyone else, and every unknown account, gets
 * the same 404. Every read and change is an admin event (never with the password).
 */
@Produces(MediaType.APPLICATION_JSON)
public class DbCredentialsResource {

    private static final Logger LOG = Logger.getLogger(DbCredentialsResource.class);
    static final String RESOURCE_TYPE = "MCIAS_DB_CREDENTIALS";

    private final KeycloakSession session;
    private final RealmModel realm;
    private final DbCredentialsResourceProviderFactory config;

    public DbCredentialsResource(KeycloakSession session, DbCredentialsResourceProviderFactory config) {
        this.session = session;
        this.realm = session.getContext().getRealm();
        this.config = config;
    }

    @GET
    @Path("{account}")
    public Response read(@PathParam("account") String name) {
        AccountAccess access = AccountAccess.check(session, name, config.adminRole(), AccountAccess.Need.SEE,
                RESOURCE_TYPE, "db-credentials", "read");
        if (access.refused()) {
            return access.refusal();
        }
        Caller caller = access.caller();
        ClientModel account = access.account();
        DbCredentialEntity row = new DbCredentialStore(session).find(realm.getId(), account.getId());
        if (row == null) {
            return Errors.json(Response.Status.NOT_FOUND, "not_configured", "no database credentials for this account");
        }
        SecretBox box;
        String secret;
        try {
            box = config.secretBox();
            secret = box.decrypt(row.getKeyId(), row.getSecret(), context(row));
        } catch (SecretBox.KeyUnavailableException | IllegalStateException e) {
            LOG.errorf("db-credentials for %s unreadable: %s", name, e.getMessage());
            return Errors.json(Response.Status.INTERNAL_SERVER_ERROR, "key_unavailable",
                    "stored credentials cannot be decrypted with the configured keys");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (row.getMode().equals("static")) {
            body.putAll(connection(row, row.getUsername(), secret));
        } else {
            Map<String, Object> dynamic = createDynamicRole(row, secret);
            if (dynamic == null) {
                return Errors.json(Response.Status.SERVICE_UNAVAILABLE, "database_unavailable",
                        "the account's database could not create a login role; try again later");
            }
            body.putAll(dynamic);
        }
        audit(caller, OperationType.ACTION, name, "read", row.getMode());
        return Response.ok(body).header("Cache-Control", "no-store").header("Pragma", "no-cache").build();
    }

    private Map<String, Object> connection(DbCredentialEntity row, String user, String password) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", row.getMode());
        out.put("host", row.getHost());
        out.put("port", row.getPort());
        out.put("database", row.getDatabase());
        out.put("username", user);
        out.put("password", password);
        out.put("sslmode", row.getSslmode());
        if (row.getOptions() != null) {
            out.put("options", row.getOptions());
        }
        out.put("uri", DbCredentialSpec.uri(user, password, row.getHost(), row.getPort(), row.getDatabase(),
                row.getSslmode(), row.getOptions()));
        return out;
    }

    /**
     * Records the role (committed) before creating it, so the reaper can always find it; if creation fails the
     * record is removed again and nothing is left behind.
     */
    private Map<String, Object> createDynamicRole(DbCredentialEntity row, String adminPassword) {
        String role = PostgresRoles.newRoleName();
        String password = PostgresRoles.newPassword();
        long now = System.currentTimeMillis();
        Instant expires = Instant.ofEpochMilli(now + row.getTtlSeconds() * 1000L);
        String credentialId = row.getId();
        KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), s -> {
            DynamicRoleEntity d = new DynamicRoleEntity();
            d.setRoleName(role);
            d.setCredentialId(credentialId);
            d.setCreatedAt(now);
            d.setExpiresAt(expires.toEpochMilli());
            new DbCredentialStore(s).em().persist(d);
        });
        try (Connection conn = PostgresRoles.connect(row, adminPassword)) {
            PostgresRoles.create(conn, role, password, expires, row.getGroupRole());
        } catch (SQLException e) {
            LOG.warnf("cannot create a login role for %s at %s:%d/%s: %s (SQLState %s)", credentialId,
                    row.getHost(), row.getPort(), row.getDatabase(), e.getClass().getSimpleName(), e.getSQLState());
            KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), s -> {
                DynamicRoleEntity d = new DbCredentialStore(s).em().find(DynamicRoleEntity.class, role);
                if (d != null) {
                    new DbCredentialStore(s).em().remove(d);
                }
            });
            return null;
        }
        Map<String, Object> out = connection(row, role, password);
        out.put("expires_at", expires.toString());
        return out;
    }

    @PUT
    @Path("{account}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response set(@PathParam("account") String name, InputStream body) {
        AccountAccess access = AccountAccess.check(session, name, config.adminRole(), AccountAccess.Need.ADMIN,
                RESOURCE_TYPE, "db-credentials", "set");
        if (access.refused()) {
            return access.refusal();
        }
        Caller caller = access.caller();
        ClientModel account = access.account();
        DbCredentialSpec spec;
        try {
            JsonNode json = JsonBodies.readObject(body, 4096);
            spec = DbCredentialSpec.parse(json);
        } catch (Errors.BadRequest e) {
            return e.response();
        } catch (DbCredentialSpec.Invalid e) {
            return Errors.badRequest(e.getMessage());
        }
        SecretBox box;
        try {
            box = config.secretBox();
        } catch (IllegalStateException e) {
            LOG.error(e.getMessage());
            return Errors.json(Response.Status.SERVICE_UNAVAILABLE, "not_configured",
                    "no encryption key configured (key-file option)");
        }
        DbCredentialStore store = new DbCredentialStore(session);
        DbCredentialEntity row = store.find(realm.getId(), account.getId());
        boolean created = row == null;
        if (created) {
            row = new DbCredentialEntity();
            row.setId(UUID.randomUUID().toString());
            row.setRealmId(realm.getId());
            row.setClientId(account.getId());
        }
        row.setMode(spec.mode());
        row.setHost(spec.host());
        row.setPort(spec.port());
        row.setDatabase(spec.database());
        row.setUsername(spec.username());
        row.setSslmode(spec.sslmode());
        row.setOptions(spec.options());
        row.setGroupRole(spec.groupRole());
        row.setTtlSeconds(spec.ttlSeconds());
        row.setKeyId(box.currentKeyId());
        row.setSecret(box.encrypt(spec.password(), context(row)));
        row.setUpdatedAt(System.currentTimeMillis());
        row.setUpdatedBy(caller.name());
        if (created) {
            store.em().persist(row);
        }
        audit(caller, created ? OperationType.CREATE : OperationType.UPDATE, name, "set", spec.mode());
        return Response.ok(describe(name, row)).build();
    }

    @DELETE
    @Path("{account}")
    public Response remove(@PathParam("account") String name) {
        AccountAccess access = AccountAccess.check(session, name, config.adminRole(), AccountAccess.Need.ADMIN,
                RESOURCE_TYPE, "db-credentials", "delete");
        if (access.refused()) {
            return access.refusal();
        }
        Caller caller = access.caller();
        ClientModel account = access.account();
        DbCredentialStore store = new DbCredentialStore(session);
        DbCredentialEntity row = store.find(realm.getId(), account.getId());
        if (row == null) {
            return Errors.json(Response.Status.NOT_FOUND, "not_configured", "no database credentials for this account");
        }
        store.em().remove(row);
        audit(caller, OperationType.DELETE, name, "delete", row.getMode());
        return Response.noContent().build();
    }

    /** Re-encrypts every stored secret of the realm under the current key; all or nothing. */
    @POST
    @Path("-/rotate-keys")
    public Response rotateKeys() {
        Caller caller = Caller.fromBearer(session);
        if (caller == null) {
            return Errors.unauthorized();
        }
        if (!caller.hasRealmRole(config.adminRole())) {
            Refusals.record(session, caller, RESOURCE_TYPE, "db-credentials", null, false, "rotate-keys", "forbidden");
            return Errors.forbidden();
        }
        SecretBox box;
        try {
            box = config.secretBox();
        } catch (IllegalStateException e) {
            return Errors.json(Response.Status.SERVICE_UNAVAILABLE, "not_configured", "no encryption key configured");
        }
        int rotated = 0;
        DbCredentialStore store = new DbCredentialStore(session);
        for (DbCredentialEntity row : store.all(realm.getId())) {
            if (row.getKeyId().equals(box.currentKeyId())) {
                continue;
            }
            String plain;
            try {
                plain = box.decrypt(row.getKeyId(), row.getSecret(), context(row));
            } catch (SecretBox.KeyUnavailableException e) {
                session.getTransactionManager().setRollbackOnly();
                return Errors.json(Response.Status.CONFLICT, "key_unavailable",
                        "a stored secret needs key " + row.getKeyId() + ", which is not in the key file; nothing changed");
            }
            row.setKeyId(box.currentKeyId());
            row.setSecret(box.encrypt(plain, context(row)));
            rotated++;
        }
        audit(caller, OperationType.ACTION, "-", "rotate-keys", box.currentKeyId());
        return Response.ok(Map.of("rotated", rotated, "key_id", box.currentKeyId())).build();
    }

    private Map<String, Object> describe(String name, DbCredentialEntity row) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("account", name);
        out.put("mode", row.getMode());
        out.put("host", row.getHost());
        out.put("port", row.getPort());
        out.put("database", row.getDatabase());
        out.put("username", row.getUsername());
        out.put("sslmode", row.getSslmode());
        out.put("options", row.getOptions());
        if (row.getGroupRole() != null) {
            out.put("group_role", row.getGroupRole());
            out.put("ttl_seconds", row.getTtlSeconds());
        }
        out.put("key_id", row.getKeyId());
        return out;
    }

    /** Associated data: binds a ciphertext to its row. */
    static String context(DbCredentialEntity row) {
        return row.getRealmId() + "|" + row.getClientId() + "|" + row.getId();
    }

    private void audit(Caller caller, OperationType op, String account, String action, String mode) {
        new AdminEventBuilder(realm, caller.adminAuth(), session, session.getContext().getConnection())
                .resource(RESOURCE_TYPE).operation(op).resourcePath("db-credentials", account)
                .detail("account", account).detail("action", action).detail("mode", mode)
                .detail("actor", caller.name()).success();
    }
}
