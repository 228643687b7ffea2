package dev.mcias.ctl;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mcias.client.ApiException;
import dev.mcias.client.Http;
import dev.mcias.client.MciasClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "users", description = "Realm users (Keycloak admin API; needs realm role admin).",
        subcommands = {UserCommands.ListUsers.class, UserCommands.Show.class, UserCommands.Create.class,
                UserCommands.Disable.class, UserCommands.Enable.class, UserCommands.Delete.class,
                UserCommands.ResetPassword.class, UserCommands.Roles.class, InviteCommands.Create.class, Help.class})
final class UserCommands {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;


    private UserCommands() {
    }

    /** The user's representation, found by exact user name; 404 when there is none. */
    static JsonNode find(MciasClient c, String username) {
        JsonNode found = c.admin("GET", "/users" + MciasClient.query(Map.of("username", username, "exact", "true")), null);
        for (JsonNode u : found) {
            if (username.equalsIgnoreCase(u.path("username").asText())) {
                return u;
            }
        }
        throw new ApiException(404, "not_found", "user " + username + " not found");
    }

    static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    /** A random temporary password: 24 characters, about 140 bits. */
    static String generatePassword() {
        SecureRandom r = new SecureRandom();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            if (i > 0 && i % 6 == 0) {
                b.append('-');
            }
            b.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    static final class PasswordOptions {
        @Option(names = "--password-stdin", description = "Read the temporary password from standard input "
                + "(else MCIASCTL_PASSWORD, else one is generated and shown once).")
        boolean stdin;
    }

    static void showUser(Base cmd, JsonNode u) {
        if (cmd.json()) {
            cmd.print(u);
            return;
        }
        Output.fields(cmd.out(), List.of("username", "id", "email", "first name", "last name", "enabled",
                "required actions"), List.of(Output.text(u, "username"), Output.text(u, "id"), Output.text(u, "email"),
                Output.text(u, "firstName"), Output.text(u, "lastName"), Output.text(u, "enabled"),
                Output.text(u, "requiredActions")));
    }

    @Command(name = "list", description = "Lists users (USERNAME, EMAIL, NAME, ENABLED).")
    static final class ListUsers extends Base {
        @Option(names = "--search", description = "Substring of user name, e-mail or name.")
        String search;

        @Option(names = "--max", defaultValue = "100", description = "At most this many (default ${DEFAULT-VALUE}).")
        int max;

        @Override
        public Integer call() throws Exception {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("briefRepresentation", "true");
            q.put("max", Integer.toString(max));
            q.put("search", search);
            JsonNode users = client().admin("GET", "/users" + MciasClient.query(q), null);
            if (json()) {
                print(users);
            } else {
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode u : users) {
                    rows.add(List.of(Output.text(u, "username"), Output.text(u, "email"),
                            (u.path("firstName").asText("") + " " + u.path("lastName").asText("")).strip(),
                            Output.text(u, "enabled")));
                }
                Output.table(out(), List.of("USERNAME", "EMAIL", "NAME", "ENABLED"), rows);
            }
            return Mciasctl.OK;
        }
    }

    @Command(name = "show", description = "Shows one user.")
    static final class Show extends Base {
        @Parameters(paramLabel = "USERNAME")
        String username;

        @Override
        public Integer call() throws Exception {
            showUser(this, find(client(), username));
            return Mciasctl.OK;
        }
    }

    @Command(name = "create", description = {"Creates a user with a temporary password, to be changed at the "
            + "first sign-in. Admins (realm role admin) are also made to set up TOTP."})
    static final class Create extends Base {
        @Parameters(paramLabel = "USERNAME")
        String username;

        @Option(names = "--email", required = true)
        String email;

        @Option(names = "--first-name", required = true)
        String firstName;

        @Option(names = "--last-name", required = true)
        String lastName;

        @picocli.CommandLine.ArgGroup(exclusive = false)
        PasswordOptions password = new PasswordOptions();

        @Override
        public Integer call() throws Exception {
            MciasClient c = client();
            String given = secret(null, password.stdin, "MCIASCTL_PASSWORD");
            String pw = given != null ? given : generatePassword();
            Map<String, Object> rep = new LinkedHashMap<>();
            rep.put("username", username);
            rep.put("email", email);
            rep.put("firstName", firstName);
            rep.put("lastName", lastName);
            rep.put("enabled", true);
            rep.put("credentials", List.of(Map.of("type", "password", "value", pw, "temporary", true)));
            c.admin("POST", "/users", rep);
            JsonNode u = find(c, username);
            report(this, u, given == null ? pw : null);
            return Mciasctl.OK;
        }
    }

    static void report(Base cmd, JsonNode u, String generated) {
        if (cmd.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("username", u.path("username").asText());
            m.put("id", u.path("id").asText());
            if (generated != null) {
                m.put("temporary_password", generated);
            }
            Output.json(cmd.out(), m);
        } else {
            cmd.out().println("User " + u.path("username").asText() + " (" + u.path("id").asText() + ")");
            if (generated != null) {
                // The secret alone on its line of standard output; the note about it on standard error.
                cmd.out().flush();
                cmd.err().println("Temporary password (shown once; to be changed at the first sign-in), on the next"
                        + " line:");
                cmd.err().flush();
                cmd.out().println(generated);
            }
            cmd.out().flush();
        }
    }

    abstract static class OneUser extends Base {
        @Parameters(paramLabel = "USERNAME")
        String username;

        /** One admin call on the user's resource; answers "{@code done} USERNAME." or {username, id, field: true|false}. */
        Integer change(String method, Object body, String done, String field, boolean value) throws Exception {
            MciasClient c = client();
            String id = find(c, username).path("id").asText();
            c.admin(method, "/users/" + Http.segment(id), body);
            return done(done + " " + username + ".", "username", username, "id", id, field, value);
        }
    }

    @Command(name = "disable", description = "Disables a user: sign-in refused, their sessions end (apps with back-channel logout are told at once).")
    static final class Disable extends OneUser {
        @Override
        public Integer call() throws Exception {
            return change("PUT", Map.of("enabled", false), "Disabled", "enabled", false);
        }
    }

    @Command(name = "enable", description = "Enables a user.")
    static final class Enable extends OneUser {
        @Override
        public Integer call() throws Exception {
            return change("PUT", Map.of("enabled", true), "Enabled", "enabled", true);
        }
    }

    @Command(name = "delete", description = "Deletes a user.")
    static final class Delete extends OneUser {
        @Override
        public Integer call() throws Exception {
            return change("DELETE", null, "Deleted", "deleted", true);
        }
    }

    @Command(name = "reset-password", description = "Sets a temporary password, to be changed at the next sign-in.")
    static final class ResetPassword extends OneUser {
        @picocli.CommandLine.ArgGroup(exclusive = false)
        PasswordOptions password = new PasswordOptions();

        @Override
        public Integer call() throws Exception {
            MciasClient c = client();
            JsonNode u = find(c, username);
            String given = secret(null, password.stdin, "MCIASCTL_PASSWORD");
            String pw = given != null ? given : generatePassword();
            c.admin("PUT", "/users/" + Http.segment(u.path("id").asText()) + "/reset-password",
                    Map.of("type", "password", "value", pw, "temporary", true));
            report(this, u, given == null ? pw : null);
            return Mciasctl.OK;
        }
    }

    @Command(name = "roles", description = "A user's realm roles.",
            subcommands = {RolesList.class, RolesAdd.class, RolesRemove.class, Help.class})
    static final class Roles {
        @picocli.CommandLine.Mixin
        HelpOption helpOption;

    }

    @Command(name = "list", description = "Lists the user's realm roles (direct ones).")
    static final class RolesList extends OneUser {
        @Override
        public Integer call() throws Exception {
            MciasClient c = client();
            JsonNode u = find(c, username);
            JsonNode roles = c.admin("GET", "/users/" + Http.segment(u.path("id").asText()) + "/role-mappings/realm", null);
            if (json()) {
                print(roles);
            } else {
                Output.table(out(), roles, List.of("ROLE", "DESCRIPTION"), List.of("name", "description"));
            }
            return Mciasctl.OK;
        }
    }

    abstract static class RoleChange extends Base {
        @Parameters(index = "0", paramLabel = "USERNAME")
        String username;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "ROLE")
        List<String> roles;

        /** Grants (POST) or takes away (DELETE) the roles; answers {@code text} or {username, roles, field: true}. */
        Integer change(String method, String text, String field) throws Exception {
            MciasClient c = client();
            JsonNode u = find(c, username);
            List<Map<String, String>> reps = new ArrayList<>();
            for (String r : roles) {
                JsonNode role = RoleCommands.find(c, r);
                reps.add(Map.of("id", role.path("id").asText(), "name", role.path("name").asText()));
            }
            c.admin(method, "/users/" + Http.segment(u.path("id").asText()) + "/role-mappings/realm", reps);
            return done(text, "username", username, "roles", roles, field, true);
        }
    }

    @Command(name = "add", description = "Grants realm roles to a user.")
    static final class RolesAdd extends RoleChange {
        @Override
        public Integer call() throws Exception {
            return change("POST", "Granted " + String.join(", ", roles) + " to " + username + ".", "granted");
        }
    }

    @Command(name = "remove", description = "Takes realm roles away from a user.")
    static final class RolesRemove extends RoleChange {
        @Override
        public Integer call() throws Exception {
            return change("DELETE", "Removed " + String.join(", ", roles) + " from " + username + ".", "removed");
        }
    }
}
