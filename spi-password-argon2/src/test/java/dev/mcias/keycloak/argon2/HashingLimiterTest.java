package dev.mcias.keycloak.argon2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HashingLimiterTest {

    @Test
    void boundsConcurrencyAndFailsAsUnavailable() {
        HashingLimiter limiter = new HashingLimiter(2, 50);
        HashingLimiter.Permit a = limiter.acquire();
        HashingLimiter.Permit b = limiter.acquire();
        assertThrows(HashingLimiter.HashingUnavailableException.class, limiter::acquire);
        a.close();
        a.close();
        assertEquals(1, limiter.available(), "double release gives back one slot");
        limiter.acquire().close();
        b.close();
        assertEquals(2, limiter.available());
    }

    @Test
    void sessionSlotIsReservedAtCreationAndReusedOnce() {
        HashingLimiter limiter = new HashingLimiter(1, 50);
        SessionHashingSlot slot = SessionHashingSlot.reserve(limiter, true);
        assertEquals(0, limiter.available());
        assertThrows(HashingLimiter.HashingUnavailableException.class, () -> SessionHashingSlot.reserve(limiter, true));
        assertEquals("x", slot.run(() -> "x"));
        assertEquals(1, limiter.available(), "first hash consumes the reservation");
        assertEquals("y", slot.run(() -> "y"));
        slot.close();
        assertEquals(1, limiter.available());
    }

    @Test
    void otherCallersReserveNothing() {
        HashingLimiter limiter = new HashingLimiter(1, 50);
        SessionHashingSlot slot = SessionHashingSlot.reserve(limiter);
        assertEquals(1, limiter.available(), "not called from Keycloak's password check");
        assertEquals("z", slot.run(() -> "z"));
        assertEquals(1, limiter.available());
    }

    @Test
    void releaseWithoutHashingFreesTheReservation() {
        HashingLimiter limiter = new HashingLimiter(1, 50);
        SessionHashingSlot slot = SessionHashingSlot.reserve(limiter, true);
        slot.release();
        assertEquals(1, limiter.available());
        slot.close();
        assertEquals(1, limiter.available());
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new HashingLimiter(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new HashingLimiter(1, -1));
    }
}
