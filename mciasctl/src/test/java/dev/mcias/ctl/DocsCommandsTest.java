package dev.mcias.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/**
 * Every {@code mciasctl ...} command line the operator documentation shows (README.md, docs/**.md, the module
 * READMEs; fenced code blocks and inline code spans) parses against the real command tree, so renaming a command or
 * an option fails the build until the docs follow. Parse only: nothing runs.
 */
class DocsCommandsTest {

    /** A documented invocation: where it is, as written, and its arguments after {@code mciasctl}. */
    record Invocation(Path file, int line, String text, boolean inline, List<String> args) {
        String where() {
            return file + ":" + line;
        }
    }

    static final Path ROOT = repositoryRoot();

    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        // Surefire runs in the module's folder; an IDE may run in the repository's.
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("mciasctl"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root above " + dir);
    }

    /** README.md, docs/**.md and every module's README.md. */
    static List<Path> documents() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        try (Stream<Path> modules = Files.list(ROOT)) {
            modules.map(m -> m.resolve("README.md")).filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        return files;
    }

    static List<Invocation> invocations(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path shown = file.startsWith(ROOT) ? ROOT.relativize(file) : file.getFileName();
        List<Invocation> found = new ArrayList<>();
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                int start = i;
                StringBuilder logical = new StringBuilder();
                // Line continuations: one command over several lines.
                while (line.endsWith("\\") && i + 1 < lines.size()) {
                    logical.append(line, 0, line.length() - 1).append(' ');
                    line = lines.get(++i);
                }
                logical.append(line);
                String text = logical.toString().strip();
                if (text.startsWith("$ ")) {
                    text = text.substring(2); // a prompt
                }
                for (List<String> args : Shell.mciasctlCalls(text)) {
                    found.add(new Invocation(shown, start + 1, text, false, args));
                }
            } else if (!line.isBlank()) {
                // A code span may go on over the paragraph's next lines.
                int start = i;
                StringBuilder paragraph = new StringBuilder(line);
                List<Integer> lineStarts = new ArrayList<>(List.of(0));
                while (i + 1 < lines.size() && !lines.get(i + 1).isBlank()
                        && !lines.get(i + 1).strip().startsWith("```")) {
                    lineStarts.add(paragraph.length() + 1);
                    paragraph.append(' ').append(lines.get(++i));
                }
                Matcher m = CODE_SPAN.matcher(paragraph);
                while (m.find()) {
                    // In a table an escaped pipe stays a pipe (on\|off): a second, non-mciasctl command.
                    String text = m.group(1).replace("\\|", "|");
                    int at = m.start();
                    int lineNo = start + (int) lineStarts.stream().filter(o -> o <= at).count();
                    for (List<String> args : Shell.mciasctlCalls(text)) {
                        found.add(new Invocation(shown, lineNo, text, true, args));
                    }
                }
            }
        }
        return found;
    }

    static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");

    /**
     * Null when the invocation parses, else the reason. Inline spans in prose often name an option without its value
     * ({@code mciasctl audit verify --file}) or leave out required options, so there a missing value or a missing
     * required option is accepted; an unknown command, an unknown option or a bad value never is.
     */
    static String problem(Invocation inv) {
        CommandLine cl = Mciasctl.commandLine(Env.system());
        try {
            CommandLine.ParseResult parsed = cl.parseArgs(inv.args().toArray(String[]::new));
            Mciasctl.checkOutputFormat((Mciasctl) cl.getCommand(), parsed);
            CommandLine.ParseResult last = parsed;
            while (true) {
                // With --help on the line picocli keeps unknown words instead of refusing them.
                if (!last.unmatched().isEmpty()) {
                    return "Unknown command or option of '" + last.commandSpec().qualifiedName(" ") + "': "
                            + last.unmatched();
                }
                if (!last.hasSubcommand()) {
                    break;
                }
                last = last.subcommand();
            }
            if (last.commandSpec().userObject() instanceof Help help) {
                CommandLine target = last.commandSpec().commandLine().getParent();
                for (String name : help.commands) {
                    target = target.getSubcommands().get(name);
                    if (target == null) {
                        return "help: unknown command '" + name + "'";
                    }
                }
            }
            return null;
        } catch (CommandLine.MissingParameterException e) {
            return inv.inline() ? null : e.getMessage();
        } catch (CommandLine.ParameterException e) {
            if (inv.inline() && e.getMessage().startsWith("Expected parameter for option")) {
                return null;
            }
            return e.getMessage();
        }
    }

    @Test
    void everyDocumentedCommandParses() throws IOException {
        List<Invocation> all = new ArrayList<>();
        for (Path f : documents()) {
            all.addAll(invocations(f));
        }
        // Guards against an extractor that silently finds nothing.
        assertTrue(all.size() > 80, "found only " + all.size() + " mciasctl commands in the docs: " + all);
        List<String> failures = new ArrayList<>();
        for (Invocation inv : all) {
            String p = problem(inv);
            if (p != null) {
                failures.add(inv.where() + ": " + inv.text() + "\n    " + p.lines().findFirst().orElse(p));
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " documented mciasctl command(s) do not parse against the command tree "
                    + "(rename them in the docs, or add what they name):\n" + String.join("\n", failures));
        }
    }

    @Nested
    class TheExtractor {

        List<List<String>> calls(String text) {
            return Shell.mciasctlCalls(text);
        }

        @Test
        void findsACallAfterAssignmentsAndStopsAtACommentOrARedirection() {
            assertEquals(List.of(List.of("db-creds", "set-dynamic", "billing", "--host", "db")),
                    calls("MCIASCTL_DB_PASSWORD=... mciasctl db-creds set-dynamic billing --host db  # admin"));
            assertEquals(List.of(List.of("audit", "export", "--from", "2026-01-01T00:00:00Z")),
                    calls("mciasctl audit export --from 2026-01-01T00:00:00Z > audit.ndjson"));
        }

        @Test
        void findsCallsInPipesAndCommandSubstitutionsAndKeepsQuotedWordsWhole() {
            assertEquals(List.of(List.of("accounts", "show", "billing", "-o", "json")),
                    calls("T=$(mciasctl accounts show billing -o json | jq -r '.token | .expires_at')"));
            assertEquals(List.of(List.of("db-creds", "get", "b", "--format", "env")),
                    calls("eval \"$(mciasctl db-creds get b --format env)\""));
            assertEquals(List.of(List.of("users", "reset-password", "alice", "--password-stdin")),
                    calls("printf '%s\\n' \"$PW\" | mciasctl users reset-password alice --password-stdin"));
            assertEquals(List.of(List.of("roles", "create", "a", "--description", "reads the # audit")),
                    calls("mciasctl roles create a --description \"reads the # audit\""));
            assertEquals(List.of(List.of("generate-completion")),
                    calls("source <(mciasctl generate-completion)"));
        }

        @Test
        void dropsPlaceholdersEllipsesAndSynopsisBrackets() {
            assertEquals(List.of(List.of("users", "list", "--search", "TEXT", "--max", "100")),
                    calls("mciasctl users list [--search TEXT] [--max 100] ..."));
            assertEquals(List.of(List.of("apps", "members-only", "name", "on")),
                    calls("mciasctl apps members-only <name> on|off"));
            assertEquals(List.of(List.of("bootstrap", "root")), calls("mciasctl/target/mciasctl/mciasctl bootstrap root"));
        }

        @Test
        void readsInlineSpansOverLineBreaksAndCodeBlocksOverContinuations(@TempDir Path dir) throws IOException {
            Path md = Files.writeString(dir.resolve("x.md"), String.join("\n", "# Title", "",
                    "Then `mciasctl apps update grafana --url", "https://g.example.org/` and `mciasctl whoami`.", "",
                    "```sh", "mciasctl users create alice --email a@example.org \\", "  --first-name A --last-name B",
                    "```", ""));
            List<Invocation> found = invocations(md);
            assertEquals(List.of("3 true [apps, update, grafana, --url, https://g.example.org/]", "4 true [whoami]",
                            "7 false [users, create, alice, --email, a@example.org, --first-name, A, --last-name, B]"),
                    found.stream().map(f -> f.line() + " " + f.inline() + " " + f.args()).toList());
        }

        @Test
        void ignoresWhatIsNotACallOfTheTool() {
            assertEquals(List.of(), calls("./mvnw -pl mciasctl -am package"));
            assertEquals(List.of(), calls("ls mciasctl/target/mciasctl/"));
            assertEquals(List.of(), calls("mciasctl: not logged in (profile default)"));
            assertEquals(List.of(), calls("# mciasctl users list"));
        }

        @Test
        void aRenamedCommandOrOptionIsReportedWithFileAndLine() {
            Invocation renamed = new Invocation(Path.of("docs/x.md"), 7, "mciasctl users lst", false,
                    List.of("users", "lst"));
            assertTrue(problem(renamed).contains("lst"), problem(renamed));
            Invocation option = new Invocation(Path.of("docs/x.md"), 8, "mciasctl users list --serch a", true,
                    List.of("users", "list", "--serch", "a"));
            assertTrue(problem(option).contains("--serch"), problem(option));
            assertEquals("docs/x.md:8", option.where());
            Invocation envFormat = new Invocation(Path.of("docs/x.md"), 9, "mciasctl users list -o env", false,
                    List.of("users", "list", "-o", "env"));
            assertTrue(problem(envFormat).contains("-o env"), problem(envFormat));
            Invocation withHelp = new Invocation(Path.of("docs/x.md"), 11, "mciasctl users lst --help", false,
                    List.of("users", "lst", "--help"));
            assertTrue(problem(withHelp).contains("lst"), "--help does not hide an unknown command");
            Invocation help = new Invocation(Path.of("docs/x.md"), 12, "mciasctl help users lst", false,
                    List.of("help", "users", "lst"));
            assertTrue(problem(help).contains("lst"), problem(help));
            assertEquals(null, problem(new Invocation(help.file(), 12, "", false, List.of("help", "users", "list"))));
            Invocation missing = new Invocation(Path.of("docs/x.md"), 10, "mciasctl audit verify --file", true,
                    List.of("audit", "verify", "--file"));
            assertEquals(null, problem(missing), "an inline span may name an option without its value");
            assertTrue(problem(new Invocation(missing.file(), 10, missing.text(), false, missing.args())) != null,
                    "a code block's command is complete");
        }
    }

    /** Just enough of the shell's word splitting to find the tool's calls in documented command lines. */
    static final class Shell {

        private Shell() {
        }

        static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*");
        static final Pattern PLACEHOLDER = Pattern.compile("<([A-Za-z][A-Za-z0-9_ -]*)>");

        /** The argument lists of every {@code mciasctl} call in one logical command line. */
        static List<List<String>> mciasctlCalls(String text) {
            List<List<String>> calls = new ArrayList<>();
            String line = PLACEHOLDER.matcher(text).replaceAll("$1");
            for (List<String> words : simpleCommands(line, calls)) {
                int i = 0;
                while (i < words.size() && (ASSIGNMENT.matcher(words.get(i)).matches()
                        || List.of("eval", "exec", "sudo", "env", "time", "command").contains(words.get(i)))) {
                    i++;
                }
                if (i < words.size() && (words.get(i).equals("mciasctl") || words.get(i).endsWith("/mciasctl"))) {
                    List<String> args = new ArrayList<>();
                    for (String w : words.subList(i + 1, words.size())) {
                        String a = w.startsWith("[") ? w.substring(1) : w;
                        a = a.endsWith("]") ? a.substring(0, a.length() - 1) : a;
                        if (!a.isEmpty() && !a.equals("...") && !a.equals("…")) {
                            args.add(a);
                        }
                    }
                    calls.add(args);
                }
            }
            return calls;
        }

        /**
         * The words of each simple command (split at pipes, lists and command substitutions, comments and
         * redirections dropped); calls inside command substitutions are added to {@code calls} as found.
         */
        static List<List<String>> simpleCommands(String s, List<List<String>> calls) {
            List<List<String>> commands = new ArrayList<>();
            List<String> words = new ArrayList<>();
            StringBuilder word = null;
            boolean redirect = false;
            char quote = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (quote == '\'') {
                    if (c == '\'') {
                        quote = 0;
                    } else {
                        word.append(c);
                    }
                    continue;
                }
                if ((c == '$' || c == '<' || c == '>') && i + 1 < s.length() && s.charAt(i + 1) == '(') {
                    int end = closing(s, i + 1);
                    calls.addAll(mciasctlCalls(s.substring(i + 2, end)));
                    if (word == null) {
                        word = new StringBuilder();
                    }
                    word.append("SUBSTITUTION");
                    i = end;
                    continue;
                }
                if (quote == '"') {
                    if (c == '"') {
                        quote = 0;
                    } else if (c == '\\' && i + 1 < s.length()) {
                        word.append(s.charAt(++i));
                    } else {
                        word.append(c);
                    }
                    continue;
                }
                if (c == '\'' || c == '"') {
                    quote = c;
                    if (word == null) {
                        word = new StringBuilder();
                    }
                    continue;
                }
                if (c == '\\' && i + 1 < s.length()) {
                    if (word == null) {
                        word = new StringBuilder();
                    }
                    word.append(s.charAt(++i));
                    continue;
                }
                if (Character.isWhitespace(c) || c == '|' || c == ';' || c == '&' || c == '>' || c == '<'
                        || c == '#' && word == null) {
                    if (word != null) {
                        if (!redirect) {
                            words.add(word.toString());
                        }
                        redirect = false;
                        word = null;
                    }
                    if (c == '#') {
                        break; // a comment to the end of the line
                    }
                    if (c == '>' || c == '<') {
                        // A redirection (2>, >>, <): the operator and its target are no arguments.
                        if (!words.isEmpty() && words.get(words.size() - 1).matches("[0-9]")
                                && i > 0 && s.charAt(i - 1) != ' ') {
                            words.remove(words.size() - 1);
                        }
                        redirect = true;
                        while (i + 1 < s.length() && (s.charAt(i + 1) == '>' || s.charAt(i + 1) == '&')) {
                            i++;
                        }
                    } else if (c == '|' || c == ';' || c == '&') {
                        commands.add(words);
                        words = new ArrayList<>();
                    }
                    continue;
                }
                if (word == null) {
                    word = new StringBuilder();
                }
                word.append(c);
            }
            if (word != null && !redirect) {
                words.add(word.toString());
            }
            commands.add(words);
            return commands;
        }

        /** The index of the parenthesis closing the one at {@code open} (quotes respected), or the end. */
        static int closing(String s, int open) {
            int depth = 0;
            char quote = 0;
            for (int i = open; i < s.length(); i++) {
                char c = s.charAt(i);
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')' && --depth == 0) {
                    return i;
                }
            }
            return s.length();
        }
    }
}
