package dev.mcias.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

class DbCredentialsTest {

    private final DbCredentials plain = new DbCredentials("static", "db.example.org", 5433, "billing", "billing_app",
            "s3cret", "require", null, null);
    private final DbCredentials awkward = new DbCredentials("dynamic", "::1", 5432, "billing", "mcias_x",
            "p@ss:w/o rd\\'%", "verify-full", "-c search_path=app", Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void jdbcUrl() {
        assertEquals("jdbc:postgresql://db.example.org:5433/billing?user=billing_app&password=s3cret&sslmode=require",
                plain.jdbcUrl());
        assertEquals("jdbc:postgresql://[::1]:5432/billing?user=mcias_x&password=p%40ss%3Aw%2Fo%20rd%5C%27%25"
                + "&sslmode=verify-full&options=-c%20search_path%3Dapp", awkward.jdbcUrl());
    }

    @Test
    void libpqUri() {
        assertEquals("postgresql://billing_app:s3cret@db.example.org:5433/billing?sslmode=require", plain.uri());
        assertEquals("postgresql://mcias_x:p%40ss%3Aw%2Fo%20rd%5C%27%25@[::1]:5432/billing?sslmode=verify-full"
                + "&options=-c%20search_path%3Dapp", awkward.uri());
    }

    @Test
    void environmentAndShellExports() {
        assertEquals(Map.of("PGHOST", "db.example.org", "PGPORT", "5433", "PGUSER", "billing_app",
                "PGPASSWORD", "s3cret", "PGDATABASE", "billing", "PGSSLMODE", "require"), plain.environment());
        assertEquals("-c search_path=app", awkward.environment().get("PGOPTIONS"));
        String exports = awkward.shellExports();
        assertEquals("export PGPASSWORD='p@ss:w/o rd\\'\\''%'", exports.lines()
                .filter(l -> l.startsWith("export PGPASSWORD=")).findFirst().orElseThrow());
    }

    @Test
    void pgpassEscapesColonAndBackslash() {
        assertEquals("db.example.org:5433:billing:billing_app:s3cret", plain.pgpassLine());
        assertEquals("\\:\\:1:5432:billing:mcias_x:p@ss\\:w/o rd\\\\'%", awkward.pgpassLine());
    }

    @Test
    void fromServerJsonIgnoresUnknownFieldsAndToStringHidesThePassword() {
        DbCredentials c = DbCredentials.fromJson(Json.parse("{\"mode\":\"static\",\"host\":\"h\",\"port\":6432,"
                + "\"database\":\"d\",\"username\":\"u\",\"password\":\"pw-123\",\"sslmode\":\"disable\","
                + "\"uri\":\"postgresql://...\",\"some_future_field\":{\"x\":1}}"));
        assertEquals(new DbCredentials("static", "h", 6432, "d", "u", "pw-123", "disable", null, null), c);
        assertFalse(c.toString().contains("pw-123"), c.toString());
    }
}
