package dev.mcias.keycloak.systemaccounts;

import jakarta.ws.rs.core.Response;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;

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

    public static AccountAccess check(KeycloakSession session, String name, String adminRole, Need need) {
        Caller caller = Caller.fromBearer(session);
        if (caller == null) {
            return new AccountAccess(null, null, Errors.unauthorized());
        }
        ClientModel account = caller.visibleAccount(name, adminRole);
        if (account == null) {
            return new AccountAccess(caller, null, Errors.notFound());
        }
        boolean allowed = switch (need) {
            case SEE -> true;
            case DELEGATE -> caller.hasRealmRole(adminRole) || caller.hasRealmRole(account.getClientId());
            case ADMIN -> caller.hasRealmRole(adminRole);
        };
        return new AccountAccess(caller, account, allowed ? null : Errors.forbidden());
    }

    public boolean refused() {
        return refusal != null;
    }
}
