package dev.mcias.ctl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mcias.client.SecureFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "accounts", description = "System accounts and their tokens.",
        subcommands = {AccountCommands.ListAccounts.class, AccountCommands.Show.class, AccountCommands.Create.class,
                AccountCommands.Delete.class, AccountCommands.Token.class, Help.class})
final class AccountCommands {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;


    private AccountCommands() {
    }

    static final List<String> HEADERS = List.of("NAME", "ENABLED", "TOKEN", "FINGERPRINT", "EXPIRES", "LAST USED",
            "DESCRIPTION");
    static final List<String> PATHS = List.of("name", "enabled", "token.present", "token.fingerprint",
            "token.expires_at", "token.last_used_at", "description");

    @Command(name = "list", description = "Lists the accounts you may see.")
    static final class ListAccounts extends Base {
        @Override
        public Integer call() throws Exception {
            JsonNode accounts = client().listAccounts();
            if (json()) {
                print(accounts);
            } else {
                Output.table(out(), accounts, HEADERS, PATHS);
            }
            return Mciasctl.OK;
        }
    }

    static void show(Base cmd, JsonNode a) {
        if (cmd.json()) {
            cmd.print(a);
            return;
        }
        List<String> values = PATHS.stream().map(p -> Output.text(a, p)).toList();
        Output.fields(cmd.out(), List.of("name", "enabled", "token", "fingerprint", "expires", "last used",
                "description"), values);
    }

    @Command(name = "show", description = "Shows one account's status (never its token).")
    static final class Show extends Base {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            show(this, client().account(name));
            return Mciasctl.OK;
        }
    }

    @Command(name = "create", description = "Creates a system account (admin); issue its token with accounts token issue.")
    static final class Create extends Base {
        @Parameters(paramLabel = "NAME", description = "Lower-case letters, digits and '-', 2-63 characters.")
        String name;

        @Option(names = "--description")
        String description;

        @Option(names = "--token-ttl", paramLabel = "SECONDS", description = "Lifetime of its tokens.")
        Integer tokenTtl;

        @Override
        public Integer call() throws Exception {
            JsonNode a = client().createAccount(name, description, tokenTtl);
            return answer(a, "Created system account " + name + ". Issue its token: mciasctl accounts token issue "
                    + name + " --out FILE");
        }
    }

    @Command(name = "delete", description = "Deletes a system account with its client, role and token (admin).")
    static final class Delete extends Base {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            client().deleteAccount(name);
            return done("Deleted system account " + name + ".", "name", name, "deleted", true);
        }
    }

    @Command(name = "token", description = "An account's token.",
            subcommands = {Issue.class, Revoke.class, Renew.class, Help.class})
    static final class Token {
        @picocli.CommandLine.Mixin
        HelpOption helpOption;

    }

    @Command(name = "issue", description = {"Issues a new token (admin or holder of the role named like the account); "
            + "the old one stops working.", "The token is printed once, or written to --out FILE (mode 0600)."})
    static final class Issue extends Base {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--out", paramLabel = "FILE", description = "Write the token to this file (mode 0600, "
                + "replaced atomically) instead of printing it.")
        Path outFile;

        @Override
        public Integer call() throws Exception {
            if (outFile != null && Files.isDirectory(outFile)) {
                throw new UsageException(outFile + " is a directory");
            }
            JsonNode issued = client().issueToken(name);
            if (outFile != null) {
                SecureFiles.writeAtomically(outFile, issued.path("token").asText() + "\n");
                ObjectNode shown = issued.deepCopy();
                shown.remove("token");
                if (json()) {
                    shown.put("file", outFile.toString());
                    print(shown);
                } else {
                    out().println("Token for " + name + " written to " + outFile + " (fingerprint "
                            + issued.path("fingerprint").asText() + ", expires " + issued.path("expires_at").asText()
                            + ").");
                }
            } else if (json()) {
                print(issued);
            } else {
                out().println(issued.path("token").asText());
                err().println("Token for " + name + " (shown once; fingerprint " + issued.path("fingerprint").asText()
                        + ", expires " + issued.path("expires_at").asText() + ").");
                err().flush();
            }
            out().flush();
            return Mciasctl.OK;
        }
    }

    @Command(name = "revoke", description = "Revokes the account's token and ends its sessions (admin).")
    static final class Revoke extends Base {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            client().revokeToken(name);
            return done("Revoked the token of " + name + ".", "name", name, "revoked", true);
        }
    }

    @Command(name = "renew", description = {"The account renews its own token: mciasctl accounts token renew "
            + "--account NAME --token-file FILE", "The file is replaced atomically (mode 0600) with the new token."})
    static final class Renew extends Base {
        @Override
        public Integer call() throws Exception {
            JsonNode shown = accountTokens().renew();
            return answer(shown, "Renewed the token of " + root().account + " in " + root().tokenFile + " (expires "
                    + shown.path("expires_at").asText() + ").");
        }
    }
}
