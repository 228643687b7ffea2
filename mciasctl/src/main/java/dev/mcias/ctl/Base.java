package dev.mcias.ctl;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mcias.client.Http;
import dev.mcias.client.MciasClient;
import dev.mcias.client.NotLoggedInException;
import dev.mcias.client.SecureFiles;
import dev.mcias.client.Session;
import dev.mcias.client.SessionStore;
import dev.mcias.client.SessionTokens;
import dev.mcias.client.SystemAccountTokens;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command shares: the root's options, the session or system account, output. */
abstract class Base implements Callable<Integer> {

    static final String DEFAULT_REALM = "mcias";

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    private Http http;

    Mciasctl root() {
        return (Mciasctl) spec.root().userObject();
    }

    Env env() {
        return root().env;
    }

    PrintWriter out() {
        return env().out();
    }

    PrintWriter err() {
        return env().err();
    }

    boolean json() {
        return root().output == Output.Format.json;
    }

    /** {@code -o env}: only commands marked {@link EnvOutput} get this far with it. */
    boolean envFormat() {
        return root().output == Output.Format.env;
    }

    Http http() {
        if (http == null) {
            http = new Http();
        }
        return http;
    }

    SessionStore store() {
        return SessionStore.fromEnvironment(env().variables());
    }

    String profile() {
        String p = root().profile;
        if (!SessionStore.validProfile(p)) {
            throw new UsageException("invalid profile name '" + p + "' (letters, digits, '-', '_')");
        }
        return p;
    }

    String serverOption() {
        String s = root().server;
        if (s == null) {
            s = env().get("MCIASCTL_SERVER");
        }
        if (s != null && !(s.startsWith("http://") || s.startsWith("https://"))) {
            throw new UsageException("--server must be an http:// or https:// URL");
        }
        return s;
    }

    String realmOption() {
        return root().realm != null ? root().realm : DEFAULT_REALM;
    }

    Session session() throws IOException {
        Session s = store().load(profile());
        if (s == null) {
            throw new NotLoggedInException("not logged in (profile " + profile() + "); run: mciasctl login --server URL");
        }
        return s;
    }

    /** The API client: as the system account of --account/--token-file, else as the logged-in user. */
    MciasClient client() throws IOException {
        if (root().account != null || root().tokenFile != null) {
            SystemAccountTokens t = accountTokens();
            return new MciasClient(http(), accountServer(), accountRealm(), t);
        }
        Session s = session();
        if (root().realm != null && !root().realm.equals(s.realm())) {
            throw new UsageException("the session of profile " + profile() + " is for realm " + s.realm()
                    + "; use --profile for another realm");
        }
        return new MciasClient(http(), s.server(), s.realm(), new SessionTokens(http(), store(), profile(), s,
                env().clock()));
    }

    private String accountServer() throws IOException {
        String s = serverOption();
        if (s == null) {
            Session session = store().load(profile());
            if (session == null) {
                throw new UsageException("--account needs --server URL (or MCIASCTL_SERVER)");
            }
            s = session.server();
        }
        return s;
    }

    private String accountRealm() throws IOException {
        if (root().realm != null) {
            return root().realm;
        }
        return DEFAULT_REALM;
    }

    SystemAccountTokens accountTokens() throws IOException {
        if (root().account == null || root().tokenFile == null) {
            throw new UsageException("--account NAME and --token-file FILE go together");
        }
        return new SystemAccountTokens(http(), accountServer(), accountRealm(), root().account, root().tokenFile,
                env().clock());
    }

    /**
     * A secret from a private file, standard input (first line) or the named environment variable, in that order
     * of the options given; null when none was given.
     */
    String secret(Path file, boolean stdin, String envVar) throws IOException {
        if (file != null && stdin) {
            throw new UsageException("give the secret in a file or on standard input, not both");
        }
        if (file != null) {
            String v = SecureFiles.readPrivate(file);
            if (v.isEmpty()) {
                throw new UsageException(file + " is empty");
            }
            return v;
        }
        if (stdin) {
            String all = new String(env().in().readNBytes(64 * 1024), StandardCharsets.UTF_8);
            String line = all.lines().findFirst().orElse("");
            if (line.isEmpty()) {
                throw new UsageException("nothing on standard input");
            }
            return line;
        }
        return envVar == null ? null : env().get(envVar);
    }

    void print(JsonNode value) {
        Output.json(out(), value);
    }

    /** The command's answer: {@code value} as JSON with {@code -o json}, else the line {@code text}. */
    Integer answer(JsonNode value, String text) {
        if (json()) {
            print(value);
        } else {
            out().println(text);
        }
        return Mciasctl.OK;
    }

    /** A change's answer: the line {@code text}, or with {@code -o json} an object of these name, value pairs. */
    Integer done(String text, Object... fields) {
        com.fasterxml.jackson.databind.node.ObjectNode o = dev.mcias.client.Json.MAPPER.createObjectNode();
        for (int i = 0; i < fields.length; i += 2) {
            o.set((String) fields[i], dev.mcias.client.Json.MAPPER.valueToTree(fields[i + 1]));
        }
        return answer(o, text);
    }
}
