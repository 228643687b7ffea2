package dev.mcias.keycloak.invites;

import java.io.InputStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.mcias.keycloak.common.Errors;
import dev.mcias.keycloak.common.JsonBodies;
import dev.mcias.keycloak.common.Text;

/**
 * The body of {@code POST /invites}: {@code {username?, email?, roles?: [..], app?, expires_in?, note?, send_email?}};
 * a null is an absent field. Only the shape is checked here; whether roles, app and username fit the realm is the
 * service's part. In what {@link #parse} returns {@code roles}, {@code expiresIn} and {@code sendEmail} are never
 * null.
 */
record CreateInviteRequest(String username, String email, List<String> roles, String app,
                           @JsonProperty("expires_in") Long expiresIn, String note,
                           @JsonProperty("send_email") Boolean sendEmail) {

    static final int MAX_BODY_BYTES = 8192;
    static final int MAX_NOTE = 255;
    static final int MAX_ROLES = 20;
    /** The stored list (comma-joined) fits its column, {@code ROLES VARCHAR(2048)}. */
    static final int MAX_ROLES_LENGTH = 2048;
    static final long DEFAULT_EXPIRES_IN = 7L * 24 * 3600;
    static final long MIN_EXPIRES_IN = 60;
    static final long MAX_EXPIRES_IN = 30L * 24 * 3600;
    /** Usernames an invite may fix or a friend may choose: what Keycloak stores (lowercase), nothing surprising. */
    static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,62}");
    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9]"
            + "(?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,254}");

    static boolean validUsername(String s) {
        return s != null && USERNAME.matcher(s).matches();
    }

    static boolean validEmail(String s) {
        return s != null && s.length() <= 254 && EMAIL.matcher(s).matches();
    }

    static CreateInviteRequest parse(InputStream body) throws Errors.BadRequest {
        return JsonBodies.read(body, MAX_BODY_BYTES, CreateInviteRequest.class).validated();
    }

    /** This body checked, with its defaults, each role once and the e-mail in lowercase. */
    private CreateInviteRequest validated() throws Errors.BadRequest {
        if (username != null && !validUsername(username)) {
            throw new Errors.BadRequest("username must be 2-63 characters: lowercase letters, digits, '.', '_' or"
                    + " '-', starting with a letter or digit");
        }
        if (email != null && !validEmail(email)) {
            throw new Errors.BadRequest("email must be an address like friend@example.org");
        }
        List<String> names = roles == null ? List.of() : roles;
        if (names.size() > MAX_ROLES) {
            throw new Errors.BadRequest("roles must be an array of at most " + MAX_ROLES + " role names");
        }
        if (names.stream().anyMatch(r -> r == null || !NAME.matcher(r).matches())) {
            throw new Errors.BadRequest("roles must be role names (letters, digits, '.', '_', ':', '@', '-')");
        }
        names = List.copyOf(new LinkedHashSet<>(names));
        if (String.join(",", names).length() > MAX_ROLES_LENGTH) {
            throw new Errors.BadRequest("roles: at most " + MAX_ROLES_LENGTH + " characters in all");
        }
        if (app != null && !NAME.matcher(app).matches()) {
            throw new Errors.BadRequest("app must be a client id");
        }
        long expires = expiresIn == null ? DEFAULT_EXPIRES_IN : expiresIn;
        if (expires < MIN_EXPIRES_IN || expires > MAX_EXPIRES_IN) {
            throw new Errors.BadRequest("expires_in must be whole seconds between " + MIN_EXPIRES_IN + " and "
                    + MAX_EXPIRES_IN + " (30 days)");
        }
        if (note != null && (note.isEmpty() || note.length() > MAX_NOTE || !Text.isPlain(note))) {
            throw new Errors.BadRequest("note must be 1 to " + MAX_NOTE
                    + " characters, without control or bidirectional-override characters");
        }
        if (Boolean.TRUE.equals(sendEmail) && email == null) {
            throw new Errors.BadRequest("send_email needs an email");
        }
        return new CreateInviteRequest(username, email == null ? null : email.toLowerCase(Locale.ROOT), names, app,
                expires, note, Boolean.TRUE.equals(sendEmail));
    }
}
