package dev.mcias.keycloak.audit;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Record ids: UUID version 7 (RFC 9562), a millisecond timestamp followed by random bits, in the usual 36-character
 * form. New ids sort after older ones, so inserting a record adds to the right edge of the primary-key index instead
 * of a random page of it (random UUIDs make every insert touch a different, often uncached, index page). The id is
 * an identifier, not a secret: it is shown to whoever reads the records.
 */
final class AuditIds {

    private AuditIds() {
    }

    static String next() {
        return next(System.currentTimeMillis(), ThreadLocalRandom.current());
    }

    static String next(long epochMillis, ThreadLocalRandom random) {
        long msb = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (random.nextLong() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }
}
