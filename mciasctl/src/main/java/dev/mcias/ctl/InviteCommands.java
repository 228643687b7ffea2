package dev.mcias.ctl;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mciasctl invites list|show|revoke}; {@code mciasctl users invite} creates one ({@link Create}). */
@Command(name = "invites", description = "Invite links (admin): list, show, revoke. Create one with users invite.",
        subcommands = {InviteCommands.ListInvites.class, InviteCommands.Show.class, InviteCommands.Revoke.class, Help.class})
final class InviteCommands {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;


    private InviteCommands() {
    }

    static final List<String> HEADERS = List.of("ID", "STATUS", "USERNAME", "EMAIL", "ROLES", "APP", "EXPIRES",
            "NOTE");
    static final List<String> PATHS = List.of("id", "status", "username", "email", "roles", "app", "expires_at",
            "note");

    private static final Pattern SHORT = Pattern.compile("(\\d{1,7})([smhd])");

    /** {@code 90m}, {@code 12h}, {@code 7d}, {@code 3600s}, or ISO-8601 ({@code PT2H}); whole seconds. */
    static long seconds(String duration) {
        String d = duration.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT.matcher(d);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> n;
                case "m" -> n * 60;
                case "h" -> n * 3600;
                default -> n * 86400;
            };
        }
        try {
            return Duration.parse(duration.trim().toUpperCase(Locale.ROOT)).getSeconds();
        } catch (DateTimeParseException e) {
            throw new UsageException("--expires: a duration like 90m, 12h, 7d or PT2H expected");
        }
    }

    static Map<String, Object> body(String username, String email, List<String> roles, String app, String expires,
                                    String note, boolean sendEmail) {
        if (sendEmail && email == null) {
            throw new UsageException("--send-email needs --email");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (username != null) {
            body.put("username", username);
        }
        if (email != null) {
            body.put("email", email);
        }
        if (roles != null && !roles.isEmpty()) {
            body.put("roles", new ArrayList<>(roles));
        }
        if (app != null) {
            body.put("app", app);
        }
        if (expires != null) {
            body.put("expires_in", seconds(expires));
        }
        if (note != null) {
            body.put("note", note);
        }
        if (sendEmail) {
            body.put("send_email", true);
        }
        return body;
    }

    @Command(name = "invite", description = {"Creates an invite link (admin): whoever opens it registers once, gets "
            + "the --role roles and lands signed in at --app (or the account console).",
            "The link is printed once; the server keeps only a hash of it."})
    static final class Create extends Base {
        @Option(names = "--username", description = "Fix the new user's name (else the friend chooses).")
        String username;

        @Option(names = "--email", description = "Fix the new user's e-mail address.")
        String email;

        @Option(names = "--role", paramLabel = "ROLE", description = "Realm role to grant (repeatable).")
        List<String> roles;

        @Option(names = "--app", paramLabel = "CLIENT", description = "Client id of the app the friend lands at.")
        String app;

        @Option(names = "--expires", paramLabel = "DURATION", description = "Lifetime, e.g. 12h or 7d "
                + "(default 7d, at most 30d).")
        String expires;

        @Option(names = "--note", description = "A note for admins (shown in invites list, never to the friend).")
        String note;

        @Option(names = "--send-email", description = "Also mail the link to --email (when the realm has SMTP).")
        boolean sendEmail;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = body(username, email, roles, app, expires, note, sendEmail);
            JsonNode created = client().createInvite(body);
            if (json()) {
                print(created);
                return Mciasctl.OK;
            }
            out().println("Invite " + created.path("id").asText() + " (expires " + created.path("expires_at").asText()
                    + ")");
            out().println("Link (shown once; send it to your friend):");
            out().println(created.path("link").asText());
            if (created.path("email_sent").asBoolean(false)) {
                out().println("Also mailed to " + created.path("email").asText() + ".");
            }
            out().flush();
            return Mciasctl.OK;
        }
    }

    @Command(name = "list", description = "Lists invites, newest first (never their links).")
    static final class ListInvites extends Base {
        @Override
        public Integer call() throws Exception {
            JsonNode all = client().listInvites();
            if (json()) {
                print(all);
            } else {
                Output.table(out(), all, HEADERS, PATHS);
            }
            return Mciasctl.OK;
        }
    }

    @Command(name = "show", description = "Shows one invite (never its link).")
    static final class Show extends Base {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            JsonNode i = client().invite(id);
            if (json()) {
                print(i);
            } else {
                List<String> names = List.of("id", "status", "username", "email", "roles", "app", "note",
                        "created_at", "created_by", "expires_at", "used_at", "used_by", "revoked_at", "revoked_by");
                Output.fields(out(), names, names.stream().map(n -> Output.text(i, n)).toList());
            }
            return Mciasctl.OK;
        }
    }

    @Command(name = "revoke", description = "Revokes an unused invite: its link stops working.")
    static final class Revoke extends Base {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            client().revokeInvite(id);
            return done("Revoked invite " + id + ".", "id", id, "revoked", true);
        }
    }
}
