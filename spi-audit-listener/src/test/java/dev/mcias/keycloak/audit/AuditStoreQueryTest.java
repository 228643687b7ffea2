package dev.mcias.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.keycloak.common.util.Time;

class AuditStoreQueryTest {

    @AfterEach
    void resetClock() {
        Time.setOffset(0);
    }

    @Test
    void queriesAreBuiltFromNamedParts() {
        AuditStore.Query q = AuditStore.Query.newestFirst(10).type("LOGIN").userId("u").from(5L).beforeSeq(9L).build();
        assertEquals("LOGIN", q.type());
        assertEquals("u", q.userId());
        assertEquals(5L, q.from());
        assertEquals(9L, q.beforeSeq());
        assertNull(q.clientId());
        assertNull(q.outcome());
        assertNull(q.to());
        assertNull(q.afterSeq());
        assertEquals(10, q.limit());
        assertFalse(q.ascending());
        assertTrue(AuditStore.Query.oldestFirst(1).build().ascending());
        assertThrows(IllegalArgumentException.class, () -> AuditStore.Query.newestFirst(0));
    }

    @Test
    void purgeRecordsTakeTheirTimeFromKeycloaksClock() {
        long day = 86_400_000L;
        long now = AuditStore.anchor("r", "actor", "success", Map.of()).getTime();
        Time.setOffset(86_400);
        long tomorrow = AuditStore.anchor("r", "actor", "success", Map.of()).getTime();
        assertTrue(tomorrow - now >= day && tomorrow - now < day + 60_000, Long.toString(tomorrow - now));
    }
}
