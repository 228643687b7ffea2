package dev.mcias.keycloak.invites;

import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import jakarta.ws.rs.core.UriBuilder;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.email.EmailException;
import org.keycloak.email.EmailSenderProvider;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.protocol.oidc.utils.RedirectUtils;
import org.keycloak.services.util.ResolveRelative;

import dev.mcias.keycloak.common.OpaqueToken;
import dev.mcias.keycloak.common.Errors;

/** Creating, listing, showing and revoking invites; the rules about roles, apps and usernames live here. */
public final class InviteService {

    private static final Logger LOG = Logger.getLogger(InviteService.class);
    /** Expired, used and revoked rows stay listable this long past expiry, then the next create or list purges them. */
    static final long RETENTION_MILLIS = 30L * 24 * 3600 * 1000;
    static final int MAX_LIST = 500;

    private final KeycloakSession session;
    private final RealmModel realm;
    private final InviteStore store;

    public InviteService(KeycloakSession session) {
        this.session = session;
        this.realm = session.getContext().getRealm();
        this.store = new InviteStore(session);
    }

    /**
     * What the admin API shows of an invite: everything but the secret (which the server does not have) and its
     * hash. Times are ISO-8601 instants; unset values are left out, as Keycloak's JSON mapper always left them out.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InviteView(String id, String status, String username, String email, List<String> roles, String app,
                             String note, @JsonProperty("email_sent") boolean emailSent,
                             @JsonProperty("created_at") String createdAt, @JsonProperty("created_by") String createdBy,
                             @JsonProperty("expires_at") String expiresAt, @JsonProperty("used_at") String usedAt,
                             @JsonProperty("used_by") String usedBy, @JsonProperty("revoked_at") String revokedAt,
                             @JsonProperty("revoked_by") String revokedBy) {
    }

    /**
     * A new invite, as the create answer shows it: the invite, then its link (holding the token, which exists only
     * here and in the one response), then {@link #emailSent}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Created(@JsonUnwrapped @JsonIgnoreProperties("email_sent") InviteView invite, String link) {
        /** Only when mail was asked for and the realm can send it; otherwise the answer says nothing about mail. */
        @JsonProperty("email_sent")
        Boolean emailSent() {
            return invite.emailSent() ? true : null;
        }
    }

    public static final class Conflict extends Exception {
        Conflict(String message) {
            super(message, null, false, false);
        }
    }

    Created create(CreateInviteRequest request, String actor) throws Errors.BadRequest, Conflict {
        for (String role : request.roles()) {
            if (realm.getRole(role) == null) {
                throw new Errors.BadRequest("no realm role " + dev.mcias.keycloak.common.Text.printable(role));
            }
        }
        ClientModel app = null;
        if (request.app() != null) {
            app = realm.getClientByClientId(request.app());
            if (app == null || !app.isEnabled() || app.isBearerOnly() || landing(session, app) == null) {
                throw new Errors.BadRequest("app must be an enabled client of this realm whose base URL is one of"
                        + " its valid redirect URIs");
            }
        }
        if (request.username() != null && session.users().getUserByUsername(realm, request.username()) != null) {
            throw new Conflict("a user with this username exists");
        }
        if (request.email() != null && !realm.isDuplicateEmailsAllowed()
                && session.users().getUserByEmail(realm, request.email()) != null) {
            throw new Conflict("a user with this email exists");
        }
        boolean mail = request.sendEmail() && smtpConfigured(realm);
        long now = Time.currentTimeMillis();
        store.purge(realm, now - RETENTION_MILLIS);
        String token = OpaqueToken.INVITE.generate();
        InviteEntity e = new InviteEntity();
        e.setId(KeycloakModelUtils.generateId());
        e.setRealmId(realm.getId());
        e.setTokenHash(OpaqueToken.hash(token));
        e.setUsername(request.username());
        e.setEmail(request.email());
        e.setRoles(request.roles().isEmpty() ? null : String.join(",", request.roles()));
        e.setClientId(app == null ? null : app.getId());
        e.setNote(request.note());
        e.setEmailSent(mail);
        e.setCreatedAt(now);
        e.setCreatedBy(actor);
        e.setExpiresAt(now + request.expiresIn() * 1000L);
        store.add(e);
        String link = link(session, realm, token);
        if (mail) {
            sendAfterCommit(e, link, actor, app);
        }
        return new Created(view(e), link);
    }

    List<InviteView> list() {
        store.purge(realm, Time.currentTimeMillis() - RETENTION_MILLIS);
        return store.list(realm, MAX_LIST).stream().map(this::view).toList();
    }

    /** The invite {@code id} of this realm, or null. */
    InviteView find(String id) {
        InviteEntity e = store.find(realm, id);
        return e == null ? null : view(e);
    }

    public enum Revoke { REVOKED, ALREADY_USED, UNKNOWN }

    Revoke revoke(String id, String actor) {
        InviteEntity invite = store.find(realm, id);
        if (invite == null) {
            return Revoke.UNKNOWN;
        }
        if (invite.getUsedAt() != null) {
            return Revoke.ALREADY_USED;
        }
        if (invite.getRevokedAt() != null || store.revoke(invite.getId(), actor, Time.currentTimeMillis())) {
            return Revoke.REVOKED;
        }
        // Neither revoked before nor by this call: a redemption used it in the meantime.
        return Revoke.ALREADY_USED;
    }

    static String status(InviteEntity e) {
        if (e.getUsedAt() != null) {
            return "used";
        }
        if (e.getRevokedAt() != null) {
            return "revoked";
        }
        return e.getExpiresAt() <= Time.currentTimeMillis() ? "expired" : "pending";
    }

    private InviteView view(InviteEntity e) {
        ClientModel app = e.getClientId() == null ? null : realm.getClientById(e.getClientId());
        UserModel user = e.getUsedBy() == null ? null : session.users().getUserById(realm, e.getUsedBy());
        return new InviteView(e.getId(), status(e), e.getUsername(), e.getEmail(), roles(e),
                app == null ? null : app.getClientId(), e.getNote(), e.isEmailSent(), instant(e.getCreatedAt()),
                e.getCreatedBy(), instant(e.getExpiresAt()), instant(e.getUsedAt()),
                user == null ? null : user.getUsername(), instant(e.getRevokedAt()), e.getRevokedBy());
    }

    static List<String> roles(InviteEntity e) {
        return e.getRoles() == null ? List.of() : Arrays.asList(e.getRoles().split(","));
    }

    static String instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis).toString();
    }

    /** {@code <server>/realms/<realm>/invites/accept?invite=<token>}, on the realm's frontend URL. */
    static String link(KeycloakSession session, RealmModel realm, String token) {
        return UriBuilder.fromUri(session.getContext().getUri().getBaseUri()).path("realms").path(realm.getName())
                .path("invites").path("accept").queryParam("invite", token).build().toString();
    }

    /** Where a friend invited to {@code app} lands: its base URL, if that is one of its valid redirect URIs. */
    static String landing(KeycloakSession session, ClientModel app) {
        String base = app.getBaseUrl();
        if (base == null || base.isBlank()) {
            return null;
        }
        String resolved = ResolveRelative.resolveRelativeUri(session, app.getRootUrl(), base);
        if (resolved == null || !URI.create(resolved).isAbsolute()) {
            return null;
        }
        return RedirectUtils.verifyRedirectUri(session, resolved, app);
    }

    /** What a friend reads for an app: its name, unless unset or a message key ({@code ${...}}), else its client id. */
    static String appName(ClientModel app) {
        String name = app.getName();
        return name == null || name.isBlank() || name.startsWith("${") ? app.getClientId() : name;
    }

    static boolean smtpConfigured(RealmModel realm) {
        Map<String, String> smtp = realm.getSmtpConfig();
        return smtp != null && smtp.get("host") != null && !smtp.get("host").isBlank()
                && smtp.get("from") != null && !smtp.get("from").isBlank();
    }

    /**
     * Mails the link once the invite is committed (a rolled-back invite must not reach anyone). A failure is
     * logged without the link; the admin still holds the link from the answer.
     */
    private void sendAfterCommit(InviteEntity e, String link, String actor, ClientModel app) {
        Map<String, String> smtp = Map.copyOf(realm.getSmtpConfig());
        String to = e.getEmail();
        String realmName = realm.getDisplayName() != null && !realm.getDisplayName().isBlank()
                ? realm.getDisplayName() : realm.getName();
        String appName = app == null ? null : appName(app);
        String expires = instant(e.getExpiresAt());
        String subject = "Your invitation to " + realmName;
        String text = actor + " invited you to create an account at " + realmName
                + (appName == null ? "" : " for " + appName) + ".\n\n"
                + "Open this link to choose your username and password (it works once, until " + expires + "):\n\n"
                + link + "\n\nIf you did not expect this invitation, ignore this mail.\n";
        String id = e.getId();
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                try {
                    session.getProvider(EmailSenderProvider.class).send(smtp, to, subject, text, null);
                } catch (EmailException | RuntimeException ex) {
                    LOG.warnf("invite %s: sending the invitation mail failed: %s", id, ex.getClass().getSimpleName());
                }
            }

            @Override
            protected void rollbackImpl() {
            }
        });
    }

    /** Realm roles named by the invite that still exist (one may have been deleted since). */
    static List<RoleModel> existingRoles(RealmModel realm, InviteEntity e) {
        return roles(e).stream().map(realm::getRole).filter(java.util.Objects::nonNull).toList();
    }
}
