package dev.mcias.keycloak.invites;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mcias.keycloak.common.Errors;
import dev.mcias.keycloak.common.JsonBodies;
import dev.mcias.keycloak.common.Text;

/**
 * The body of {@code POST /invites}, parsed and validated:
 * {@code {username?, email?, roles?: [..], app?, expires_in?, note?, send_email?}}. Only the shape is checked
 * here; whether roles, app and username fit the realm is the service's part.
 */
record CreateInviteRequest(String username, String email, List<String> roles, String app, long expiresIn,
                           String note, boolean sendEmail) {

    static final int MAX_BODY_BYTES = 8192;
    static final int MAX_NOTE = 255;
    static final int MAX_ROLES = 20;
    /** The stored list (comma-joined) fits its column, {@code ROLES VARCHAR(2048)}. */
    static final int MAX_ROLES_LENGTH = 2048;
    static final long DEFAULT_EXPIRES_IN = 7L * 24 * 3600;
    static final long MIN_EXPIRES_IN = 60;
    static final long MAX_EXPIRES_IN = 30L * 24 * 3600;
    private static final Set<String> FIELDS = Set.of("username", "email", "roles", "app", "expires_in", "note",
            "send_email");
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
        JsonNode json = JsonBodies.readObject(body, MAX_BODY_BYTES);
        for (var it = json.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new Errors.BadRequest("unknown field: " + Text.printable(field));
            }
        }
        String username = optionalText(json, "username");
        if (username != null && !validUsername(username)) {
            throw new Errors.BadRequest("username must be 2-63 characters: lowercase letters, digits, '.', '_' or"
                    + " '-', starting with a letter or digit");
        }
        String email = optionalText(json, "email");
        if (email != null && !validEmail(email)) {
            throw new Errors.BadRequest("email must be an address like friend@example.org");
        }
        List<String> roles = new ArrayList<>();
        JsonNode r = json.get("roles");
        if (r != null && !r.isNull()) {
            if (!r.isArray() || r.size() > MAX_ROLES) {
                throw new Errors.BadRequest("roles must be an array of at most " + MAX_ROLES + " role names");
            }
            Set<String> seen = new LinkedHashSet<>();
            for (JsonNode n : r) {
                if (!n.isTextual() || !NAME.matcher(n.asText()).matches()) {
                    throw new Errors.BadRequest("roles must be role names (letters, digits, '.', '_', ':', '@', '-')");
                }
                seen.add(n.asText());
            }
            roles.addAll(seen);
            if (String.join(",", roles).length() > MAX_ROLES_LENGTH) {
                throw new Errors.BadRequest("roles: at most " + MAX_ROLES_LENGTH + " characters in all");
            }
        }
        String app = optionalText(json, "app");
        if (app != null && !NAME.matcher(app).matches()) {
            throw new Errors.BadRequest("app must be a client id");
        }
        long expiresIn = DEFAULT_EXPIRES_IN;
        JsonNode e = json.get("expires_in");
        if (e != null && !e.isNull()) {
            if (!e.isIntegralNumber() || !e.canConvertToLong() || e.asLong() < MIN_EXPIRES_IN
                    || e.asLong() > MAX_EXPIRES_IN) {
                throw new Errors.BadRequest("expires_in must be whole seconds between " + MIN_EXPIRES_IN + " and "
                        + MAX_EXPIRES_IN + " (30 days)");
            }
            expiresIn = e.asLong();
        }
        String note = optionalText(json, "note");
        if (note != null && (note.length() > MAX_NOTE || !Text.isPlain(note))) {
            throw new Errors.BadRequest("note must be at most " + MAX_NOTE
                    + " characters, without control or bidirectional-override characters");
        }
        boolean sendEmail = false;
        JsonNode s = json.get("send_email");
        if (s != null && !s.isNull()) {
            if (!s.isBoolean()) {
                throw new Errors.BadRequest("send_email must be true or false");
            }
            sendEmail = s.asBoolean();
        }
        if (sendEmail && email == null) {
            throw new Errors.BadRequest("send_email needs an email");
        }
        return new CreateInviteRequest(username, email == null ? null : email.toLowerCase(Locale.ROOT), roles, app,
                expiresIn, note, sendEmail);
    }

    private static String optionalText(JsonNode json, String field) throws Errors.BadRequest {
        JsonNode n = json.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual() || n.asText().isEmpty()) {
            throw new Errors.BadRequest(field + " must be a non-empty string");
        }
        return n.asText();
    }
}
