package dev.mcias.keycloak.audit.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesFromTheInitialDelayUpToTheCap() {
        Backoff b = new Backoff(1_000, 60_000);
        assertEquals(1_000, b.nominal(1));
        assertEquals(2_000, b.nominal(2));
        assertEquals(32_000, b.nominal(6));
        assertEquals(60_000, b.nominal(7));
        assertEquals(60_000, b.nominal(1_000), "no overflow for large attempt counts");
        assertEquals(1_000, b.nominal(0));
    }

    @Test
    void jitterStaysWithinTheUpperHalfOfTheNominalDelayAndVaries() {
        Backoff b = new Backoff(1_000, 60_000);
        for (int attempt = 1; attempt <= 12; attempt++) {
            long nominal = b.nominal(attempt);
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                long d = b.delay(attempt);
                assertTrue(d >= nominal / 2 && d <= nominal, attempt + ": " + d + " outside [" + nominal / 2 + ", "
                        + nominal + "]");
                seen.add(d);
            }
            assertTrue(seen.size() > 10, "jittered, not fixed");
        }
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(10, 5));
    }
}
