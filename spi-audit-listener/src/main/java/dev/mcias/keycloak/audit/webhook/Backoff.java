package dev.mcias.keycloak.audit.webhook;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Delay before the next attempt: exponential ({@code initial * 2^(attempts-1)}, capped at {@code max}) with "equal
 * jitter" (a random point in the upper half), so receivers recovering from an outage are not hit by every node's
 * retries at the same instant, and no retry comes sooner than half the nominal delay.
 */
public record Backoff(long initialMillis, long maxMillis) {

    public Backoff {
        if (initialMillis < 1 || maxMillis < initialMillis) {
            throw new IllegalArgumentException("backoff: initial must be positive and at most max");
        }
    }

    /** The nominal (un-jittered) delay after {@code attempts} failed attempts (1 = after the first). */
    public long nominal(int attempts) {
        int shift = Math.max(0, Math.min(attempts - 1, 40));
        long d = initialMillis << shift;
        return d <= 0 || d > maxMillis ? maxMillis : d;
    }

    /** Between half the nominal delay and the nominal delay. */
    public long delay(int attempts) {
        long d = nominal(attempts);
        long half = d / 2;
        return half + ThreadLocalRandom.current().nextLong(d - half + 1);
    }
}
