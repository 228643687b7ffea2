package dev.mcias.keycloak.systemaccounts;

import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;

import dev.mcias.keycloak.common.Access;
import dev.mcias.keycloak.common.Attempt;
import dev.mcias.keycloak.common.Caller;
import dev.mcias.keycloak.common.Errors;
import dev.mcias.keycloak.common.Refusals;

/**
 * The access check at the top of every per-account REST method: who calls, which account, and whether the
 * caller may do what the method does. A failed check throws the answer (401, or an audited 404/403). Unknown
 * accounts and accounts the caller may not see give the same 404.
 */
public record AccountAccess(Caller caller, ClientModel account) {

    public enum Need {
        /** admin, holder of the account's role, or the account itself */
        SEE,
        /** admin or holder of the account's role */
        DELEGATE,
        /** admin */
        ADMIN
    }

    /** The caller and the account named {@code name}, if the caller has the {@code need}; else throws. */
    public static AccountAccess require(KeycloakSession session, String name, String adminRole, Need need,
                                        Attempt attempt) {
        Caller caller = Access.caller(session);
        ClientModel account = SystemAccounts.find(session.getContext().getRealm(), name);
        if (account == null || !maySee(caller, account, adminRole)) {
            throw Refusals.refuse(session, caller, attempt, name, SystemAccounts.validName(name), "not_found",
                    Errors.notFound());
        }
        boolean allowed = switch (need) {
            case SEE -> true;
            case DELEGATE -> mayDelegate(caller, account, adminRole);
            case ADMIN -> caller.hasRealmRole(adminRole);
        };
        if (!allowed) {
            throw Refusals.refuse(session, caller, attempt, name, true, "forbidden", Errors.forbidden());
        }
        return new AccountAccess(caller, account);
    }

    /** Admin, holder of the account's role, or the account itself. */
    public static boolean maySee(Caller caller, ClientModel account, String adminRole) {
        return mayDelegate(caller, account, adminRole) || caller.isServiceAccountOf(account);
    }

    /** Admin or holder of the account's role (the realm role named like the account). */
    public static boolean mayDelegate(Caller caller, ClientModel account, String adminRole) {
        return caller.hasRealmRole(adminRole) || caller.hasRealmRole(account.getClientId());
    }
}
