package dev.mcias.keycloak.it.support;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waiting for a condition on a real server: poll until it holds, fail with what was awaited after a bound. */
public final class Await {

    /** How often a condition is polled; never an expected duration of anything. */
    private static final long POLL_MILLIS = 100;

    private Await() {
    }

    public interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} until it holds; an {@link AssertionError} naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, Condition condition) throws Exception {
        value(what, timeout, () -> condition.holds() ? Boolean.TRUE : null);
    }

    /** Polls {@code probe} until it returns non-null, and returns that. */
    public static <T> T value(String what, Duration timeout, Callable<T> probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.call();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
