package dev.mcias.keycloak.audit;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which event details reach the audit record: an allow-list, so a detail Keycloak (or a future extension)
 * adds is dropped unless someone decided it is safe. Nothing here carries a password, token, code, OTP value,
 * credential data or authorization header.
 */
public final class DetailsFilter {

    static final Set<String> ALLOWED = Set.of(
            // Keycloak's own event details
            "auth_method", "auth_type", "redirect_uri", "code_id", "username", "response_type", "response_mode",
            "grant_type", "token_id", "refresh_token_id", "refresh_token_type", "refresh_token_sub", "scope",
            "consent", "remember_me", "identity_provider", "identity_provider_identity", "updated_email",
            "previous_email", "updated_first_name", "previous_first_name", "updated_last_name",
            "previous_last_name", "credential_type", "credential_id", "custom_required_action", "reason",
            "client_auth_method", "token_type", "token_issued_for", "not_before", "redirected_to_client",
            "validate_access_token", "updated_refresh_token_id", "user_session_id",
            // set by Keycloak when a client-policy executor refuses (e.g. spi-app-access): fixed error strings
            "client_policy_error", "client_policy_error_detail",
            // MCIAS modules (system accounts, database credentials, audit)
            "system_account", "token_fingerprint", "account", "action", "actor", "fingerprint", "mode",
            "purged_through_seq", "purged_count", "last_purged_hash",
            "purge_through_seq", "broken_seq", "broken_reason",
            // spi-invites (never the link or its hash)
            "invite_id", "roles", "app", "expires_at", "register_method",
            // spi-forward-auth: the shared cookie domain an app was admitted through (a domain name)
            "cookie_domain");

    static final int MAX_VALUE_LENGTH = 512;

    private DetailsFilter() {
    }

    /** Allowed details, sorted by key, values bounded; dropped keys are listed (names only). */
    public static Map<String, String> filter(Map<String, String> details) {
        Map<String, String> out = new TreeMap<>();
        if (details == null) {
            return out;
        }
        StringBuilder dropped = new StringBuilder();
        new TreeMap<>(details).forEach((k, v) -> {
            if (k != null && ALLOWED.contains(k)) {
                if (v != null) {
                    out.put(k, v.length() > MAX_VALUE_LENGTH ? v.substring(0, MAX_VALUE_LENGTH) + "..." : v);
                }
            } else if (k != null) {
                dropped.append(dropped.length() == 0 ? "" : ",").append(k.length() > 64 ? k.substring(0, 64) : k);
            }
        });
        if (dropped.length() > 0) {
            out.put("dropped_details", dropped.toString());
        }
        return out;
    }
}
