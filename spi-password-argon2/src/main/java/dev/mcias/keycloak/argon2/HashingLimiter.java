package dev.mcias.keycloak.argon2;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.ws.rs.ServiceUnavailableException;

/**
 * Caps how many memory-hard hashes run at once. A caller that cannot get a slot within the wait limit gets
 * {@link HashingUnavailableException}, a temporary failure, never a "wrong password".
 */
public final class HashingLimiter {

    private final Semaphore slots;
    private final int capacity;
    private final long maxWaitMillis;

    public HashingLimiter(int capacity, long maxWaitMillis) {
        if (capacity < 1) {
            throw new IllegalArgumentException("argon2id: max-concurrent must be at least 1, got " + capacity);
        }
        if (maxWaitMillis < 0) {
            throw new IllegalArgumentException("argon2id: max-wait must not be negative, got " + maxWaitMillis);
        }
        this.slots = new Semaphore(capacity, true);
        this.capacity = capacity;
        this.maxWaitMillis = maxWaitMillis;
    }

    /** One slot, or {@link HashingUnavailableException} after the bounded wait. */
    public Permit acquire() {
        try {
            if (slots.tryAcquire(maxWaitMillis, TimeUnit.MILLISECONDS)) {
                return new Permit();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new HashingUnavailableException(
                "all " + capacity + " password hashing slots busy for " + maxWaitMillis + " ms");
    }

    public int capacity() {
        return capacity;
    }

    public long maxWaitMillis() {
        return maxWaitMillis;
    }

    public int available() {
        return slots.availablePermits();
    }

    /** A held slot; releasing twice is harmless. */
    public final class Permit implements AutoCloseable {
        private boolean held = true;

        private Permit() {
        }

        @Override
        public synchronized void close() {
            if (held) {
                held = false;
                slots.release();
            }
        }
    }

    public static final class HashingUnavailableException extends RuntimeException {
        public HashingUnavailableException(String message) {
            super(message);
        }

        /** What the HTTP layer should see: 503. (Keycloak's error handler keeps status and error code, drops Retry-After.) */
        public ServiceUnavailableException toHttp() {
            // OAuth's error code for this case; the detail stays in the server log.
            return new ServiceUnavailableException("temporarily_unavailable", 1L, this);
        }
    }
}
