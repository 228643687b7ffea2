package dev.mcias.ctl;

import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;

import dev.mcias.client.ApiException;
import dev.mcias.client.NotLoggedInException;
import dev.mcias.client.SecureFiles;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(name = "mciasctl", mixinStandardHelpOptions = true, versionProvider = Mciasctl.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"Administers an MCIAS realm: users, roles, system accounts and their tokens, database "
                + "credentials, audit, apps, invites.", ""},
        footerHeading = "%nEnvironment:%n",
        footer = {"  XDG_CONFIG_HOME       sessions in $XDG_CONFIG_HOME/mciasctl/ (default ~/.config/mciasctl/)",
                "  MCIASCTL_SERVER       default for --server",
                "  MCIASCTL_PASSWORD     temporary password: users create|reset-password, bootstrap",
                "  MCIASCTL_DB_PASSWORD  database password: db-creds set|set-dynamic",
                "  KC_BOOTSTRAP_ADMIN_USERNAME, KC_BOOTSTRAP_ADMIN_PASSWORD  master admin: bootstrap",
                "Secrets are never arguments: files, standard input or these variables.",
                "",
                "Exit codes:",
                "  0  ok",
                "  1  server or other error",
                "  2  usage or invalid input (also HTTP 400)",
                "  3  not logged in, authentication failed, unsafe session file (HTTP 401)",
                "  4  not found or forbidden (HTTP 404, 403)"})
public final class Mciasctl {

    public static final int OK = 0;
    public static final int ERROR = 1;
    public static final int USAGE = 2;
    public static final int AUTH = 3;
    public static final int NOT_FOUND = 4;

    final Env env;

    @Option(names = "--profile", scope = ScopeType.INHERIT, paramLabel = "NAME", defaultValue = "default",
            description = "Session profile, one per server or identity (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (for people), json (for scripts), or env (KEY=VALUE lines: apps add, apps show).")
    Output.Format output;

    @Option(names = "--account", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "Act as this system account (with --token-file) instead of the logged-in user.")
    String account;

    @Option(names = "--token-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "The system account's token file (mode 0600).")
    java.nio.file.Path tokenFile;

    @Option(names = "--server", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Server base URL, e.g. https://id.example.org (login, bootstrap, --account).")
    String server;

    @Option(names = "--realm", scope = ScopeType.INHERIT, paramLabel = "REALM",
            description = "Realm (default: mcias, or the session's).")
    String realm;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Show details of errors (never secrets).")
    boolean debug;

    /** For picocli's completion generator, which needs a no-argument constructor. */
    public Mciasctl() {
        this(Env.system());
    }

    public Mciasctl(Env env) {
        this.env = env;
    }

    /** The top-level commands, in the order the help lists them. */
    static final List<Class<?>> COMMANDS = List.of(LoginCommands.Login.class, LoginCommands.Logout.class,
            LoginCommands.Whoami.class, BootstrapCommand.class, UserCommands.class, RoleCommands.class,
            AccountCommands.class, DbCredsCommands.class, AuditCommands.class, AppsCommands.class,
            InviteCommands.class, AutoComplete.GenerateCompletion.class, Help.class);

    /** The root's options that take a value (skipped when looking for the command's name). */
    static final Set<String> ROOT_OPTIONS_WITH_VALUE = Set.of("--profile", "-o", "--output", "--account",
            "--token-file", "--server", "--realm");

    /** The whole command tree (help, completion, tests). */
    public static CommandLine commandLine(Env env) {
        return commandLine(env, (String) null);
    }

    /**
     * The configured command line for these arguments: output streams, exit codes, one-line errors. Building
     * picocli's model of a command (reflection over its classes and options) is most of a call's start-up time, and
     * a call runs one top-level command, so only that one is built; the whole tree when the arguments name none
     * (or {@code help}, {@code generate-completion}), for the top-level help and for "did you mean".
     */
    public static CommandLine commandLine(Env env, String... args) {
        Mciasctl root = new Mciasctl(env);
        CommandLine cl = new CommandLine(root);
        String name = commandName(args);
        boolean known = COMMANDS.stream().anyMatch(c -> c.getAnnotation(Command.class).name().equals(name));
        for (Class<?> c : COMMANDS) {
            String n = c.getAnnotation(Command.class).name();
            if (!known || n.equals(name) || name.equals("help") || name.equals("generate-completion")) {
                cl.addSubcommand(c);
            }
        }
        cl.setOut(env.out());
        cl.setErr(env.err());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> handle(root, ex, cmd));
        cl.setExecutionStrategy(parsed -> {
            Integer help = CommandLine.executeHelpRequest(parsed);
            if (help != null) {
                return help;
            }
            checkOutputFormat(root, parsed);
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setParameterExceptionHandler((ex, given) -> {
            // One line, as every error; the command's --help has the rest.
            CommandLine c = ex.getCommandLine();
            c.getErr().println("mciasctl: " + ex.getMessage().lines().findFirst().orElse("usage error")
                    + " (see: " + c.getCommandSpec().qualifiedName(" ") + " --help)");
            c.getErr().flush();
            return USAGE;
        });
        CommandLine completion = cl.getSubcommands().get("generate-completion");
        if (completion != null) {
            completion.getCommandSpec().usageMessage().hidden(true);
        }
        return cl;
    }

    /** The first word of {@code args} that is neither a root option nor its value; null when there is none. */
    static String commandName(String... args) {
        for (int i = 0; args != null && i < args.length; i++) {
            String a = args[i];
            if (a == null || a.equals("--")) {
                return null;
            }
            if (!a.startsWith("-")) {
                return a;
            }
            if (ROOT_OPTIONS_WITH_VALUE.contains(a)) {
                i++;
            }
        }
        return null;
    }

    /** {@code -o env} only where the command has env lines to print ({@link EnvOutput}). */
    static void checkOutputFormat(Mciasctl root, CommandLine.ParseResult parsed) {
        CommandLine.ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        if (root.output == Output.Format.env && !(last.commandSpec().userObject() instanceof EnvOutput)) {
            throw new CommandLine.ParameterException(last.commandSpec().commandLine(),
                    "-o env is for apps add and apps show; use -o table or -o json");
        }
    }

    static int handle(Mciasctl root, Exception ex, CommandLine cmd) {
        var err = cmd.getErr();
        int code;
        String message;
        if (ex instanceof UsageException) {
            code = USAGE;
            message = ex.getMessage();
        } else if (ex instanceof dev.mcias.client.Oidc.DeviceFlowException device) {
            code = AUTH;
            message = "login failed: " + device.description();
        } else if (ex instanceof NotLoggedInException nli) {
            code = AUTH;
            message = nli.description();
        } else if (ex instanceof ApiException api) {
            code = switch (api.status()) {
                case 400 -> USAGE;
                case 401 -> AUTH;
                case 403, 404 -> NOT_FOUND;
                default -> ERROR;
            };
            message = api.getMessage();
        } else if (ex instanceof SecureFiles.InsecureFileException) {
            code = AUTH;
            message = "refusing to use it: " + ex.getMessage();
        } else if (ex instanceof java.nio.file.NoSuchFileException nsf) {
            code = USAGE;
            message = "no such file: " + nsf.getFile();
        } else if (ex instanceof IOException || ex instanceof java.io.UncheckedIOException) {
            code = ERROR;
            message = ex.getMessage();
        } else {
            code = ERROR;
            message = ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
        }
        err.println("mciasctl: " + message);
        if (root.debug) {
            StringWriter trace = new StringWriter();
            ex.printStackTrace(new java.io.PrintWriter(trace));
            err.println(trace);
        }
        err.flush();
        return code;
    }

    /**
     * Build step: the calls whose classes go into the class-data sharing archive. A typical call (argument parsing,
     * help, a stored session, one HTTP exchange, JSON, a table) against a throw-away server on the loopback
     * interface, in a throw-away configuration folder; nothing leaves the machine.
     */
    static void training() throws IOException {
        java.nio.file.Path xdg = java.nio.file.Files.createTempDirectory("mciasctl-training");
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "[{\"username\":\"alice\",\"email\":\"a@example.org\",\"enabled\":true}]"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            new dev.mcias.client.SessionStore(xdg.resolve("mciasctl")).save("default", new dev.mcias.client.Session(
                    url, "mcias", "mciasctl", "alice", "training", "training", Long.MAX_VALUE / 2));
            java.io.PrintWriter sink = new java.io.PrintWriter(java.io.OutputStream.nullOutputStream());
            Env env = new Env(java.util.Map.of("XDG_CONFIG_HOME", xdg.toString()), java.io.InputStream.nullInputStream(),
                    sink, sink, java.time.Clock.systemUTC(), false);
            for (String[] args : new String[][] {{"--help"}, {"users", "list"}, {"users", "list", "-o", "json"},
                    {"users", "show", "alice"}, {"accounts", "list"}, {"apps", "add", "--help"}, {"users", "lst"}}) {
                commandLine(env, args).execute(args);
            }
        } finally {
            server.stop(0);
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(xdg)) {
                for (java.nio.file.Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Mciasctl.class.getPackage().getImplementationVersion();
            return new String[] {"mciasctl " + (v == null ? "development" : v)};
        }
    }
}
