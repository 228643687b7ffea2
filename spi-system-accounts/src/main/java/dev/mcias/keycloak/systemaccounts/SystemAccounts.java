package dev.mcias.keycloak.systemaccounts;

import java.util.regex.Pattern;

import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;

/** What makes a client a system account, and the rules for names and token lifetimes. */
public final class SystemAccounts {

    /** Client attribute marking clients created by this module. */
    public static final String MARKER_ATTRIBUTE = "mcias.system_account";
    /** Client attribute: this account's token lifetime in seconds. */
    public static final String TTL_ATTRIBUTE = "mcias.token_ttl";
    /** Realm attribute: the realm's default token lifetime in seconds. */
    public static final String REALM_TTL_ATTRIBUTE = "mcias.system_accounts.token_ttl";

    /** Lowercase letter first, then lowercase letters, digits and hyphens; 2 to 63 characters. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{1,62}");
    public static final long MIN_TTL_SECONDS = 60;
    public static final long MAX_TTL_SECONDS = 366L * 24 * 3600;
    public static final long DEFAULT_TTL_SECONDS = 30L * 24 * 3600;

    private SystemAccounts() {
    }

    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public static boolean validTtl(long seconds) {
        return seconds >= MIN_TTL_SECONDS && seconds <= MAX_TTL_SECONDS;
    }

    /** The system account named {@code name}, or null (also for ordinary clients of that name). */
    public static ClientModel find(RealmModel realm, String name) {
        if (!validName(name)) {
            return null;
        }
        ClientModel client = realm.getClientByClientId(name);
        return isSystemAccount(client) ? client : null;
    }

    public static boolean isSystemAccount(ClientModel client) {
        return client != null && "true".equals(client.getAttribute(MARKER_ATTRIBUTE))
                && SystemAccountTokenClientAuthenticatorFactory.ID.equals(client.getClientAuthenticatorType());
    }

    /** The delegation role: the realm role named like the account. */
    public static RoleModel role(RealmModel realm, ClientModel account) {
        return realm.getRole(account.getClientId());
    }

    /** Token lifetime: the account's own, else the realm's, else the server default. */
    public static long ttlSeconds(RealmModel realm, ClientModel account, long serverDefault) {
        Long own = parse(account.getAttribute(TTL_ATTRIBUTE));
        if (own != null) {
            return own;
        }
        Long realmDefault = parse(realm.getAttribute(REALM_TTL_ATTRIBUTE));
        return realmDefault != null ? realmDefault : serverDefault;
    }

    private static Long parse(String value) {
        if (value == null) {
            return null;
        }
        try {
            long v = Long.parseLong(value.trim());
            return validTtl(v) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
