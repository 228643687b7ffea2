package dev.mcias.keycloak.dbcredentials;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Properties;

/**
 * Short-lived PostgreSQL login roles, created and dropped through the account's configured connection. Role names
 * and passwords are generated here; every identifier is quoted and every value that could be bound is bound.
 */
public final class PostgresRoles {

    public static final String ROLE_PREFIX = "mcias_dyn_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private PostgresRoles() {
    }

    public static String newRoleName() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return ROLE_PREFIX + HexFormat.of().formatHex(b);
    }

    /** 256 random bits, base64url: no character that needs escaping anywhere. */
    public static String newPassword() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static Connection connect(DbCredentialEntity c, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", c.getUsername());
        p.setProperty("password", password);
        p.setProperty("sslmode", c.getSslmode());
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "15");
        p.setProperty("ApplicationName", "mcias-keycloak");
        // The driver directly: Keycloak ships it, but DriverManager may not see it from a provider's classloader.
        Connection conn = new org.postgresql.Driver().connect("jdbc:postgresql://" + c.getHost() + ":" + c.getPort()
                + "/" + c.getDatabase(), p);
        if (conn == null) {
            throw new SQLException("PostgreSQL driver refused the URL");
        }
        return conn;
    }

    public static void create(Connection conn, String role, String password, Instant validUntil, String groupRole)
            throws SQLException {
        String sql = "CREATE ROLE " + DbCredentialSpec.quoteIdentifier(role)
                + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"
                + " PASSWORD " + DbCredentialSpec.quoteLiteral(password)
                + " VALID UNTIL " + DbCredentialSpec.quoteLiteral(validUntil.toString())
                + " IN ROLE " + DbCredentialSpec.quoteIdentifier(groupRole);
        try (Statement s = conn.createStatement()) {
            s.execute(sql);
        }
    }

    /** Ends the role's sessions and drops it; a role that is already gone is fine. */
    public static void drop(Connection conn, String role) throws SQLException {
        if (!role.startsWith(ROLE_PREFIX)) {
            throw new IllegalArgumentException("not a role this module created");
        }
        try (PreparedStatement s = conn.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?")) {
            s.setString(1, role);
            s.execute();
        }
        try (Statement s = conn.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + DbCredentialSpec.quoteIdentifier(role));
        }
    }
}
