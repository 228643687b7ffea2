package dev.mcias.ctl;

import picocli.CommandLine.Option;

/** {@code -h, --help} on every command (mixed into {@link Base} and the command groups). */
final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;
}
