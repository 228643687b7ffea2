package dev.mcias.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** --help, -h and help PATH on every command of the tree, also those with required options and parameters. */
class HelpTest {

    @TempDir
    Path xdg;

    Run.Result run(List<String> args) {
        return Run.run(Map.of("XDG_CONFIG_HOME", xdg.toString(), "HOME", xdg.toString()), null,
                args.toArray(String[]::new));
    }

    static void walk(CommandLine cl, List<String> path, List<List<String>> all) {
        all.add(path);
        for (var e : cl.getSubcommands().entrySet()) {
            if (!e.getKey().equals(e.getValue().getCommandName())) {
                continue; // an alias
            }
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            walk(e.getValue(), p, all);
        }
    }

    static CommandSpec spec(List<String> path) {
        CommandLine cl = Mciasctl.commandLine(Env.system());
        for (String name : path) {
            cl = cl.getSubcommands().get(name);
        }
        return cl.getCommandSpec();
    }

    @Test
    void everyCommandHasHelpNamingAllItsOptionsAndParameters() {
        List<List<String>> all = new ArrayList<>();
        walk(Mciasctl.commandLine(Env.system()), List.of(), all);
        assertTrue(all.size() > 40, "the whole tree: " + all);
        for (List<String> path : all) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Run.Result help = run(args);
            assertEquals(0, help.code(), args + "\n" + help);
            assertEquals("", help.err(), args + "\n" + help);
            assertTrue(help.out().startsWith("Usage: mciasctl" + (path.isEmpty() ? "" : " " + String.join(" ", path))),
                    args + "\n" + help);
            CommandSpec spec = spec(path);
            for (OptionSpec o : spec.options()) {
                for (String name : o.hidden() ? new String[0] : o.names()) {
                    // Every name (-o and --output), at a word boundary, not only as part of a longer one.
                    String word = "(?s).*(^|[\\s,\\[])" + java.util.regex.Pattern.quote(name) + "([\\s=,\\]]|$).*";
                    assertTrue(help.out().matches(word), args + ": option " + name + "\n" + help);
                }
            }
            for (PositionalParamSpec p : spec.positionalParameters()) {
                if (!p.hidden()) {
                    assertTrue(help.out().contains(p.paramLabel()), args + ": parameter " + p.paramLabel() + "\n" + help);
                }
            }
            List<String> shortArgs = new ArrayList<>(path);
            shortArgs.add("-h");
            assertEquals(help, run(shortArgs), shortArgs.toString());
            List<String> helpArgs = new ArrayList<>();
            helpArgs.add("help");
            helpArgs.addAll(path);
            assertEquals(help, run(helpArgs), helpArgs.toString());
            if (path.size() >= 2 && !path.get(path.size() - 1).equals("help")) {
                // The group's own help command: mciasctl apps help add.
                List<String> groupHelp = new ArrayList<>(path.subList(0, path.size() - 1));
                groupHelp.add("help");
                groupHelp.add(path.get(path.size() - 1));
                if (spec(path.subList(0, path.size() - 1)).subcommands().containsKey("help")) {
                    assertEquals(help, run(groupHelp), groupHelp.toString());
                }
            }
        }
    }

    @Test
    void requiredOptionsDoNotStandInTheWayOfHelp() {
        for (String[] args : new String[][] {{"apps", "add", "--help"}, {"users", "create", "-h"},
                {"bootstrap", "--help"}, {"db-creds", "set", "--help"}, {"users", "roles", "add", "--help"},
                {"accounts", "token", "issue", "-h"}, {"help", "apps", "add"}, {"apps", "help", "add"}}) {
            Run.Result r = run(List.of(args));
            assertEquals(0, r.code(), String.join(" ", args) + "\n" + r);
            assertTrue(r.out().startsWith("Usage: "), r.toString());
        }
    }

    @Test
    void helpOfAnUnknownCommandIsAOneLineUsageError() {
        Run.Result r = run(List.of("help", "apps", "frobnicate"));
        assertEquals(2, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().startsWith("mciasctl: ") && r.err().contains("frobnicate"), r.toString());
        Run.Result missing = run(List.of("users", "create", "alice"));
        assertEquals(2, missing.code(), missing.toString());
        assertEquals(1, missing.err().lines().count(), "real usage errors keep the one-line style:\n" + missing);
    }
}
