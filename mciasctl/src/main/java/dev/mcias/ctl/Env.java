package dev.mcias.ctl;

import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;

/**
 * What the tool takes from its surroundings: environment variables, standard input, output streams, the clock.
 * {@code inheritIo}: programs started by {@code db-creds exec} share this process's terminal (the real tool)
 * rather than writing through {@code out}/{@code err} (tests).
 */
public record Env(Map<String, String> variables, InputStream in, PrintWriter out, PrintWriter err, Clock clock,
        boolean inheritIo) {

    public static Env system() {
        return new Env(System.getenv(), System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                Clock.systemUTC(), true);
    }

    public String get(String name) {
        String v = variables.get(name);
        return v == null || v.isEmpty() ? null : v;
    }
}
