package dev.mcias.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

class AuditIdsTest {

    @Test
    void idsAreVersion7UuidsCarryingTheirMillisecond() {
        long now = 1_764_892_800_123L;
        UUID id = UUID.fromString(AuditIds.next(now, ThreadLocalRandom.current()));
        assertEquals(7, id.version());
        assertEquals(2, id.variant(), "RFC 9562 variant");
        assertEquals(now, id.getMostSignificantBits() >>> 16, "the first 48 bits are the time");
    }

    @Test
    void laterIdsSortAfterEarlierOnesAsStrings() {
        String earlier = AuditIds.next(1_764_892_800_000L, ThreadLocalRandom.current());
        String later = AuditIds.next(1_764_892_800_001L, ThreadLocalRandom.current());
        assertTrue(earlier.compareTo(later) < 0, earlier + " < " + later);
        assertEquals(36, later.length());
    }

    @Test
    void idsOfTheSameMillisecondDiffer() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(AuditIds.next(1_764_892_800_000L, ThreadLocalRandom.current()));
        }
        assertEquals(10_000, ids.size());
        assertNotEquals(AuditIds.next(), AuditIds.next());
    }
}
