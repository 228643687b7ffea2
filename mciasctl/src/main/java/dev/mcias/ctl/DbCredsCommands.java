package dev.mcias.ctl;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mcias.client.DbCredentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "db-creds", description = "PostgreSQL credentials of system accounts.",
        subcommands = {DbCredsCommands.Show.class, DbCredsCommands.SetStatic.class, DbCredsCommands.SetDynamic.class,
                DbCredsCommands.Delete.class, DbCredsCommands.RotateKeys.class, DbCredsCommands.Get.class,
                DbCredsCommands.Exec.class, Help.class})
final class DbCredsCommands {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;


    private DbCredsCommands() {
    }

    @Command(name = "show", description = "Shows an account's database settings, without the password (admin; "
            + "in dynamic mode this creates a role, as every read does).")
    static final class Show extends Base {
        @Parameters(paramLabel = "ACCOUNT")
        String account;

        @Override
        public Integer call() throws Exception {
            JsonNode c = client().dbCredentialsJson(account).deepCopy();
            ObjectNode shown = (ObjectNode) c;
            shown.remove("password");
            shown.remove("uri");
            if (json()) {
                print(shown);
            } else {
                Output.fields(out(), shown);
            }
            return Mciasctl.OK;
        }
    }

    abstract static class SetBase extends Base {
        @Parameters(paramLabel = "ACCOUNT")
        String account;

        @Option(names = "--host", required = true)
        String host;

        @Option(names = "--port", defaultValue = "5432")
        int port;

        @Option(names = "--database", required = true)
        String database;

        @Option(names = "--username", required = true, description = "The database role (dynamic mode: the role "
                + "that creates the per-read roles).")
        String username;

        @Option(names = "--sslmode", defaultValue = "require",
                description = "disable, allow, prefer, require, verify-ca or verify-full (default ${DEFAULT-VALUE}).")
        String sslmode;

        @Option(names = "--options", description = "libpq options, e.g. '-c search_path=app'.")
        String options;

        @Option(names = "--password-file", paramLabel = "FILE", description = "The database password, from a "
                + "file only you can read.")
        Path passwordFile;

        @Option(names = "--password-stdin", description = "Read the database password from standard input "
                + "(else the environment variable MCIASCTL_DB_PASSWORD).")
        boolean passwordStdin;

        Map<String, Object> settings(String mode) throws IOException {
            String password = secret(passwordFile, passwordStdin, "MCIASCTL_DB_PASSWORD");
            if (password == null) {
                throw new UsageException("no database password: use --password-file FILE, --password-stdin or "
                        + "MCIASCTL_DB_PASSWORD");
            }
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("mode", mode);
            s.put("host", host);
            s.put("port", port);
            s.put("database", database);
            s.put("username", username);
            s.put("password", password);
            s.put("sslmode", sslmode);
            if (options != null) {
                s.put("options", options);
            }
            return s;
        }

        int store(Map<String, Object> settings) throws IOException {
            JsonNode stored = client().putDbCredentials(account, settings);
            return answer(stored, "Stored " + stored.path("mode").asText() + " database credentials for " + account
                    + " (key " + stored.path("key_id").asText() + ").");
        }
    }

    @Command(name = "set", description = "Stores static credentials: one database role and its password (admin).")
    static final class SetStatic extends SetBase {
        @Override
        public Integer call() throws Exception {
            return store(settings("static"));
        }
    }

    @Command(name = "set-dynamic", description = "Stores dynamic mode: every read creates a role valid for --ttl, "
            + "member of --group-role (admin).")
    static final class SetDynamic extends SetBase {
        @Option(names = "--group-role", required = true)
        String groupRole;

        @Option(names = "--ttl", paramLabel = "SECONDS", description = "Lifetime of each created role (default 3600).")
        Integer ttl;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> s = settings("dynamic");
            s.put("group_role", groupRole);
            if (ttl != null) {
                s.put("ttl_seconds", ttl);
            }
            return store(s);
        }
    }

    @Command(name = "delete", description = "Removes an account's stored credentials (admin).")
    static final class Delete extends Base {
        @Parameters(paramLabel = "ACCOUNT")
        String account;

        @Override
        public Integer call() throws Exception {
            client().deleteDbCredentials(account);
            return done("Deleted the database credentials of " + account + ".", "account", account, "deleted", true);
        }
    }

    @Command(name = "rotate-keys", description = "Re-encrypts every stored secret under the first key of the "
            + "server's key file (admin).")
    static final class RotateKeys extends Base {
        @Override
        public Integer call() throws Exception {
            JsonNode r = client().rotateDbCredentialKeys();
            return answer(r, "Re-encrypted " + r.path("rotated").asText() + " secrets under key "
                    + r.path("key_id").asText() + ".");
        }
    }

    enum Format { json, env, uri, jdbc, pgpass }

    @Command(name = "get", description = {"Prints an account's credentials, password included (the account, "
            + "holder of its role, admin).", "Formats: json, env (export lines), uri (libpq), jdbc, pgpass."})
    static final class Get extends Base {
        @Parameters(paramLabel = "ACCOUNT")
        String account;

        @Option(names = "--format", defaultValue = "json", description = "json, env, uri, jdbc or pgpass "
                + "(default ${DEFAULT-VALUE}).")
        Format format;

        @Override
        public Integer call() throws Exception {
            DbCredentials c = client().dbCredentials(account);
            PrintWriter out = out();
            switch (format) {
                case json -> Output.json(out, c.toJsonMap());
                case env -> out.print(c.shellExports());
                case uri -> out.println(c.uri());
                case jdbc -> out.println(c.jdbcUrl());
                case pgpass -> out.println(c.pgpassLine());
                default -> throw new IllegalStateException();
            }
            out.flush();
            return Mciasctl.OK;
        }
    }

    @Command(name = "exec", description = {"Runs a program with the account's credentials in PGHOST, PGPORT, "
            + "PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE (and PGOPTIONS): no file, no shell history.",
            "Example: mciasctl db-creds exec billing -- psql -c 'select current_user'",
            "Exit code: the program's."})
    static final class Exec extends Base {
        @Parameters(index = "0", paramLabel = "ACCOUNT")
        String account;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND")
        List<String> command;

        @Override
        public Integer call() throws Exception {
            DbCredentials c = client().dbCredentials(account);
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
            pb.environment().putAll(c.environment());
            Process p;
            if (env().inheritIo()) {
                p = pb.inheritIO().start();
                return p.waitFor();
            }
            pb.redirectInput(ProcessBuilder.Redirect.PIPE);
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new IOException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
            }
            p.getOutputStream().close();
            Thread errCopy = copy(p.getErrorStream(), err());
            copy(p.getInputStream(), out()).join();
            errCopy.join();
            return p.waitFor();
        }

        private static Thread copy(InputStream in, PrintWriter to) {
            Thread t = new Thread(() -> {
                try (in) {
                    byte[] b = new byte[8192];
                    int n;
                    while ((n = in.read(b)) > 0) {
                        synchronized (to) {
                            to.write(new String(b, 0, n, StandardCharsets.UTF_8));
                            to.flush();
                        }
                    }
                } catch (IOException e) {
                    // the program ended
                }
            });
            t.start();
            return t;
        }
    }
}
