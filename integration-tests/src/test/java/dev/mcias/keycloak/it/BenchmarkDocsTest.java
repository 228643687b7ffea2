package dev.mcias.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The commands docs/benchmarks.md shows (its {@code sh} blocks and the commands quoted inline) name scripts,
 * scenarios, subcommands, classes and environment variables that exist: a renamed scenario or a dropped variable
 * fails the build instead of leaving a figure nobody can reproduce. BenchmarksSmokeIT runs the scripts themselves.
 */
class BenchmarkDocsTest {

    static final Path ROOT = Path.of(System.getProperty("mcias.repo.dir", ".."));
    /** A repository script as a command word: benchmarks/*, a module's benchmark.sh, run-local.sh. */
    static final Pattern SCRIPT = Pattern.compile("^(?:\\./)?((?:benchmarks/[\\w.-]+)|(?:[\\w-]+/benchmark\\.sh)"
            + "|run-local\\.sh)$");
    static final Pattern ASSIGNMENT = Pattern.compile("^([A-Z][A-Z0-9_]*)=.*$");
    static final Pattern INLINE = Pattern.compile("`([^`]*(?:benchmarks/|benchmark\\.sh|run-local\\.sh)[^`]*)`");

    /** Each command of the doc as words (lines joined at a trailing backslash; comments and pipes cut off). */
    static List<List<String>> commands() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("docs/benchmarks.md"));
        List<String> texts = new ArrayList<>();
        boolean inSh = false;
        StringBuilder joined = new StringBuilder();
        for (String line : lines) {
            if (line.startsWith("```")) {
                inSh = !inSh && line.equals("```sh");
                continue;
            }
            if (inSh) {
                joined.append(line.endsWith("\\") ? line.substring(0, line.length() - 1) + " " : line);
                if (!line.endsWith("\\")) {
                    texts.add(joined.toString());
                    joined.setLength(0);
                }
            } else {
                Matcher m = INLINE.matcher(line);
                while (m.find()) {
                    texts.add(m.group(1));
                }
            }
        }
        List<List<String>> commands = new ArrayList<>();
        for (String text : texts) {
            // A command substitution counts as one word (its result); a comment, a pipe or a list ends the command.
            String command = text.replaceAll("\\$\\([^)]*\\)", "X").replaceAll("\\s#.*$", "")
                    .replaceAll("[|&;].*$", "").trim();
            if (!command.isEmpty()) {
                commands.add(Arrays.asList(command.split("\\s+")));
            }
        }
        return commands;
    }

    @Test
    void everyScriptScenarioVariableAndClassTheDocShowsExists() throws IOException {
        Set<String> scenarios = loadShScenarios();
        int scripts = 0;
        List<String> wrong = new ArrayList<>();
        for (List<String> words : commands()) {
            int i = 0;
            List<String> variables = new ArrayList<>();
            for (; i < words.size() && ASSIGNMENT.matcher(words.get(i)).matches(); i++) {
                variables.add(ASSIGNMENT.matcher(words.get(i)).replaceAll("$1"));
            }
            if (i < words.size() && words.get(i).equals("python3")) {
                i++;
            }
            if (i >= words.size()) {
                continue;
            }
            Matcher script = SCRIPT.matcher(words.get(i));
            if (script.matches()) {
                scripts++;
                Path file = ROOT.resolve(script.group(1));
                String source = Files.isRegularFile(file) ? Files.readString(file) : "";
                if (source.isEmpty()) {
                    wrong.add(words + ": no " + file);
                    continue;
                }
                if (file.toString().endsWith(".sh") && !Files.isExecutable(file)) {
                    wrong.add(words + ": " + file + " is not executable");
                }
                for (String v : variables) {
                    if (!Pattern.compile("\\$\\{?" + v + "\\b").matcher(source).find()) {
                        wrong.add(words + ": " + file.getFileName() + " does not read " + v);
                    }
                }
                List<String> args = words.subList(i + 1, words.size());
                if (file.endsWith("benchmarks/load.sh")) {
                    for (String a : args) {
                        if (!scenarios.contains(a)) {
                            wrong.add(words + ": load.sh has no scenario " + a);
                        }
                    }
                } else if (file.endsWith("benchmarks/setup.py") && args.size() >= 3
                        && !source.contains("\"" + args.get(2) + "\"")) {
                    wrong.add(words + ": setup.py has no subcommand " + args.get(2));
                } else if (file.endsWith("benchmarks/forward_auth.py") && !args.isEmpty()
                        && !args.get(0).startsWith("\"") && !source.contains("\"" + args.get(0) + "\"")) {
                    wrong.add(words + ": forward_auth.py has no subcommand " + args.get(0));
                }
            } else if (words.get(i).equals("java")) {
                String main = words.get(words.size() - 1);
                if (!Files.exists(ROOT.resolve("spi-password-argon2/src/test/java/" + main.replace('.', '/')
                        + ".java"))) {
                    wrong.add(words + ": no class " + main);
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(scripts >= 10, "commands found in docs/benchmarks.md: " + scripts);
    }

    /** The scenarios load.sh accepts: its {@code case} of names, and {@code all}. */
    static Set<String> loadShScenarios() throws IOException {
        Matcher m = Pattern.compile("(?m)^\\s*([a-z-]+(?:\\|[a-z-]+)+)\\) ;;$")
                .matcher(Files.readString(ROOT.resolve("benchmarks/load.sh")));
        assertTrue(m.find(), "load.sh's scenario case");
        Set<String> names = new java.util.TreeSet<>(Arrays.asList(m.group(1).split("\\|")));
        names.add("all");
        return names;
    }
}
