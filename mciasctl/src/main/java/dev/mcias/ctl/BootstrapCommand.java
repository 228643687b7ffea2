package dev.mcias.ctl;

import java.io.Console;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mcias.client.ApiException;
import dev.mcias.client.Http;
import dev.mcias.client.MciasClient;
import dev.mcias.client.NotLoggedInException;
import dev.mcias.client.Oidc;
import dev.mcias.client.TokenResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bootstrap", description = {"First run: creates the realm's first admin (realm role admin) with "
        + "the master realm's bootstrap admin, with a temporary password; TOTP is set up at the first sign-in.",
        "The master admin's credentials come from KC_BOOTSTRAP_ADMIN_USERNAME and KC_BOOTSTRAP_ADMIN_PASSWORD, "
        + "--master-password-file, or a prompt; never from an argument."})
final class BootstrapCommand extends Base {

    @Parameters(paramLabel = "USERNAME", description = "The new realm admin.")
    String username;

    @Option(names = "--email", required = true)
    String email;

    @Option(names = "--first-name", required = true)
    String firstName;

    @Option(names = "--last-name", required = true)
    String lastName;

    @Option(names = "--master-username", paramLabel = "NAME", description = "The master realm's admin (default: "
            + "KC_BOOTSTRAP_ADMIN_USERNAME, else admin).")
    String masterUsername;

    @Option(names = "--master-password-file", paramLabel = "FILE", description = "The master admin's password, "
            + "from a file only you can read (else KC_BOOTSTRAP_ADMIN_PASSWORD, else a prompt).")
    Path masterPasswordFile;

    @Option(names = "--password-stdin", description = "Read the new admin's temporary password from standard "
            + "input (else MCIASCTL_PASSWORD, else one is generated and shown once).")
    boolean passwordStdin;

    @Override
    public Integer call() throws Exception {
        String server = serverOption();
        if (server == null) {
            throw new UsageException("bootstrap needs --server URL (or MCIASCTL_SERVER)");
        }
        String realm = realmOption();
        String masterUser = masterUsername != null ? masterUsername
                : env().get("KC_BOOTSTRAP_ADMIN_USERNAME") != null ? env().get("KC_BOOTSTRAP_ADMIN_USERNAME") : "admin";
        String masterPassword = secret(masterPasswordFile, false, "KC_BOOTSTRAP_ADMIN_PASSWORD");
        if (masterPassword == null) {
            Console console = env().inheritIo() ? System.console() : null;
            if (console == null) {
                throw new UsageException("no master admin password: set KC_BOOTSTRAP_ADMIN_PASSWORD or use "
                        + "--master-password-file FILE");
            }
            char[] pw = console.readPassword("Password of master admin %s: ", masterUser);
            masterPassword = pw == null ? "" : new String(pw);
        }
        TokenResponse master;
        try {
            master = new Oidc(http(), server, "master").password("admin-cli", masterUser, masterPassword);
        } catch (ApiException e) {
            if (e.status() == 400 || e.status() == 401) {
                throw new NotLoggedInException("the master admin was refused: " + e.getMessage());
            }
            throw e;
        }
        MciasClient c = new MciasClient(http(), server, realm, master::accessToken);
        String given = secret(null, passwordStdin, "MCIASCTL_PASSWORD");
        String pw = given != null ? given : UserCommands.generatePassword();
        Map<String, Object> rep = new LinkedHashMap<>();
        rep.put("username", username);
        rep.put("email", email);
        rep.put("emailVerified", true);
        rep.put("firstName", firstName);
        rep.put("lastName", lastName);
        rep.put("enabled", true);
        rep.put("requiredActions", List.of("UPDATE_PASSWORD", "CONFIGURE_TOTP"));
        rep.put("credentials", List.of(Map.of("type", "password", "value", pw, "temporary", true)));
        c.admin("POST", "/users", rep);
        JsonNode user = UserCommands.find(c, username);
        JsonNode role = RoleCommands.find(c, "admin");
        c.admin("POST", "/users/" + Http.segment(user.path("id").asText()) + "/role-mappings/realm",
                List.of(Map.of("id", role.path("id").asText(), "name", "admin")));
        String base = Oidc.stripSlashPublic(server);
        if (json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("username", username);
            m.put("id", user.path("id").asText());
            m.put("realm", realm);
            if (given == null) {
                m.put("temporary_password", pw);
            }
            m.put("account_console", base + "/realms/" + realm + "/account/");
            Output.json(out(), m);
            return Mciasctl.OK;
        }
        var out = out();
        out.println("Created realm admin " + username + " in realm " + realm + " (realm role admin).");
        if (given == null) {
            // The secret alone on its line of standard output; the note about it on standard error.
            out.flush();
            err().println("Temporary password of " + username + " (shown once; to be changed at the first sign-in),"
                    + " on the next line:");
            err().flush();
            out.println(pw);
            out.flush();
        }
        out.println();
        out.println("Next:");
        out.println("  1. Sign in at " + base + "/realms/" + realm + "/account/ as " + username
                + ": choose a new password and set up TOTP.");
        out.println("  2. mciasctl login --server " + base + (realm.equals(DEFAULT_REALM) ? "" : " --realm " + realm));
        out.println("     From then on this admin does everything day to day (users, roles, apps, system accounts,");
        out.println("     database credentials, audit); the master realm's admin is for Keycloak itself only.");
        out.println("  3. Remove the temporary master admin '" + masterUser + "' (it has a password only, no TOTP):");
        out.println("     in " + base + "/admin/master/console/ create a permanent master admin with TOTP if you need");
        out.println("     one (server upgrades, new realms), then delete '" + masterUser + "' under Users of realm master,");
        out.println("     and delete the file or variable that held its password.");
        out.flush();
        return Mciasctl.OK;
    }
}
