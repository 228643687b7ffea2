package dev.mcias.keycloak.it.support;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;

/** The database a test server runs on: embedded H2, or a fresh PostgreSQL database dropped at the end. */
public final class TestDatabase implements AutoCloseable {

    public static final String PG_HOST = System.getProperty("kc.test.pg.host", "127.0.0.1");
    public static final int PG_PORT = Integer.getInteger("kc.test.pg.port", 5432);
    public static final String PG_ADMIN_USER = System.getProperty("kc.test.pg.user", "postgres");

    private final String kind;
    private final String pgDatabase;

    private TestDatabase(String kind, String pgDatabase) {
        this.kind = kind;
        this.pgDatabase = pgDatabase;
    }

    public static TestDatabase fromSystemProperty() {
        String kind = System.getProperty("kc.test.db", "h2");
        switch (kind) {
            case "h2":
                return new TestDatabase(kind, null);
            case "postgres":
                return freshPostgres();
            default:
                throw new IllegalArgumentException("kc.test.db must be h2 or postgres, not " + kind);
        }
    }

    /** A new, empty PostgreSQL database, dropped on close. */
    public static TestDatabase freshPostgres() {
        String name = "mcias_it_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        execAsAdmin("postgres", "CREATE DATABASE " + name);
        return new TestDatabase("postgres", name);
    }

    public String kind() {
        return kind;
    }

    public String pgDatabase() {
        return pgDatabase;
    }

    public static String jdbcUrl(String database) {
        return "jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database;
    }

    /**
     * Keycloak options selecting this database. H2 gets {@code WRITE_DELAY=0}: by default it writes commits to
     * its file up to 500 ms later, so a killed process loses answered requests.
     */
    public List<String> keycloakOptions(java.nio.file.Path home) {
        if (pgDatabase == null) {
            return List.of("--db=dev-file", "--db-url=jdbc:h2:file:" + home.resolve("data/h2/keycloakdb")
                    + ";NON_KEYWORDS=VALUE;WRITE_DELAY=0");
        }
        return List.of("--db=postgres", "--db-url=" + jdbcUrl(pgDatabase), "--db-username=" + PG_ADMIN_USER);
    }

    public static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), PG_ADMIN_USER, "");
    }

    private static void execAsAdmin(String database, String sql) {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + PG_HOST + ":" + PG_PORT + " failed: " + sql, e);
        }
    }

    @Override
    public void close() {
        if (pgDatabase != null) {
            execAsAdmin("postgres", "DROP DATABASE IF EXISTS " + pgDatabase + " WITH (FORCE)");
        }
    }
}
