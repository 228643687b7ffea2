package dev.mcias.ctl;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs mciasctl in this JVM with captured standard output and error (tests, and Java programs embedding it).
 * Programs started by {@code db-creds exec} write through the captured streams too.
 */
public final class Run {

    /** Exit code and what was printed. */
    public record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Run() {
    }

    public static Result run(Map<String, String> environment, String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Env env = new Env(new HashMap<>(environment),
                new ByteArrayInputStream((stdin == null ? "" : stdin).getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true), Clock.systemUTC(), false);
        int code = Mciasctl.commandLine(env, args).execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
