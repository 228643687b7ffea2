package dev.mcias.ctl;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code help [COMMAND [SUBCOMMAND...]]}: the same text as {@code COMMAND SUBCOMMAND --help}. Like picocli's
 * {@link CommandLine.HelpCommand}, but it walks any number of levels ({@code mciasctl help apps add}).
 */
@Command(name = "help", helpCommand = true, mixinStandardHelpOptions = false,
        description = "Shows the help of a command: help [COMMAND [SUBCOMMAND]].")
final class Help implements CommandLine.IHelpCommandInitializable2, Callable<Integer> {

    @picocli.CommandLine.Mixin
    HelpOption helpOption;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command (and subcommand) to describe.")
    List<String> commands = List.of();

    private CommandLine self;
    private CommandLine.Help.ColorScheme colorScheme;
    private PrintWriter out;

    @Override
    public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter out,
                     PrintWriter err) {
        this.self = helpCommandLine;
        this.colorScheme = colorScheme;
        this.out = out;
    }

    @Override
    public Integer call() {
        CommandLine target = self.getParent();
        for (String name : commands) {
            CommandLine sub = target.getSubcommands().get(name);
            if (sub == null) {
                throw new CommandLine.ParameterException(self, "Unknown command: '" + name + "'");
            }
            target = sub;
        }
        target.usage(out, colorScheme);
        out.flush();
        return Mciasctl.OK;
    }
}
