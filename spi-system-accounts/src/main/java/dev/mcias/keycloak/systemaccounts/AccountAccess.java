package dev.mcias.keycloak.systemaccounts;

import jakarta.ws.rs.core.Response;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;

import dev.mcias.keycloak.common.Caller;
import dev.mcias.keycloak.common.Errors;
import dev.mcias.keycloak.common.Refusals;

/**
 * The access check at the top of every per-account REST method: who calls, which account, and whether the
 * caller may do what the method does. Unknown accounts and accounts the caller may not see give the same 404.
 */
public record AccountAccess(Caller caller, ClientModel account, Response refusal) {

    public enum Need {
        /** admin, holder of the account's role, or the account itself */
        SEE,
        /** admin or holder of the account's role */
        DELEGATE,
        /** admin */
        ADMIN
    }

    /**
     * @param resourceType and {@code action}: how a refusal is recorded in the audit log
     */
    public static AccountAccess check(KeycloakSession session, String name, String adminRole, Need need,
                                      String resourceType, String collection, String action) {
        Caller caller = Caller.fromBearer(session);
        if (caller == null) {
            return new AccountAccess(null, null, Errors.unauthorized());
        }
        ClientModel account = SystemAccounts.find(session.getContext().getRealm(), name);
        if (account == null || !maySee(caller, account, adminRole)) {
            Refusals.record(session, caller, resourceType, collection, name, SystemAccounts.validName(name), action,
                    "not_found");
            return new AccountAccess(caller, null, Errors.notFound());
        }
        boolean allowed = switch (need) {
            case SEE -> true;
            case DELEGATE -> mayDelegate(caller, account, adminRole);
            case ADMIN -> caller.hasRealmRole(adminRole);
        };
        if (!allowed) {
            Refusals.record(session, caller, resourceType, collection, name, true, action, "forbidden");
            return new AccountAccess(caller, account, Errors.forbidden());
        }
        return new AccountAccess(caller, account, null);
    }

    /** Admin, holder of the account's role, or the account itself. */
    public static boolean maySee(Caller caller, ClientModel account, String adminRole) {
        return mayDelegate(caller, account, adminRole) || caller.isServiceAccountOf(account);
    }

    /** Admin or holder of the account's role (the realm role named like the account). */
    public static boolean mayDelegate(Caller caller, ClientModel account, String adminRole) {
        return caller.hasRealmRole(adminRole) || caller.hasRealmRole(account.getClientId());
    }

    public boolean refused() {
        return refusal != null;
    }
}
