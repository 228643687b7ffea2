package dev.mcias.keycloak.dbcredentials;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

import org.postgresql.util.PasswordUtil;

/**
 * PostgreSQL side of the module: connections, short-lived login roles (created and dropped through the account's
 * configured connection), identifier and literal quoting, libpq URIs. Role names and passwords are generated
 * here; every identifier is quoted and every value that could be bound is bound. No password ever reaches SQL
 * text: roles get a SCRAM-SHA-256 verifier computed here.
 */
public final class PostgresRoles {

    public static final String ROLE_PREFIX = "mcias_dyn_";
    /** How long the reaper waits for one terminated session to exit. */
    static final int TERMINATE_WAIT_MILLIS = 5000;
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

    /**
     * The SCRAM-SHA-256 verifier of a password ({@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>},
     * RFC 5802/7677, the format PostgreSQL stores), with a fresh random salt. PostgreSQL stores a verifier given
     * as PASSWORD as it is, so the password itself never reaches the server or its log.
     */
    public static String scramVerifier(String password) {
        return PasswordUtil.encodeScramSha256(password.toCharArray());
    }

    /** The CREATE ROLE statement; holds the verifier, never the password. */
    static String createSql(String role, String verifier, Instant validUntil, String groupRole) {
        if (!verifier.startsWith("SCRAM-SHA-256$")) {
            throw new IllegalArgumentException("not a SCRAM-SHA-256 verifier");
        }
        return "CREATE ROLE " + quoteIdentifier(role)
                + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"
                + " PASSWORD " + quoteLiteral(verifier)
                + " VALID UNTIL " + quoteLiteral(validUntil.toString())
                + " IN ROLE " + quoteIdentifier(groupRole);
    }

    public static void create(Connection conn, String role, String password, Instant validUntil, String groupRole)
            throws SQLException {
        String sql = createSql(role, scramVerifier(password), validUntil, groupRole);
        try (Statement s = conn.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * Ends a role for good: no new logins, its sessions terminated (and gone), the objects it owns in this
     * database handed to the connection role (REASSIGN OWNED ... TO CURRENT_USER, so no data is destroyed), its
     * remaining privileges revoked (DROP OWNED) and the role dropped. A role that is already gone is fine. Throws
     * when any step fails, e.g. sessions that would not end or objects it owns in another database.
     */
    public static void drop(Connection conn, String role) throws SQLException {
        if (!role.startsWith(ROLE_PREFIX)) {
            throw new IllegalArgumentException("not a role this module created");
        }
        conn.setAutoCommit(true);
        try (PreparedStatement s = conn.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            s.setString(1, role);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
            }
        }
        String quoted = quoteIdentifier(role);
        try (Statement s = conn.createStatement()) {
            s.execute("ALTER ROLE " + quoted + " NOLOGIN");
        }
        // REASSIGN/DROP OWNED need the privileges of the role: roles from before this rule lack the membership.
        boolean member;
        try (PreparedStatement s = conn.prepareStatement("SELECT pg_has_role(?, 'USAGE')")) {
            s.setString(1, role);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                member = rs.getBoolean(1);
            }
        }
        if (!member) {
            try (Statement s = conn.createStatement()) {
                s.execute("GRANT " + quoted + " TO CURRENT_USER");
            }
        }
        try (PreparedStatement s = conn.prepareStatement(
                "SELECT pg_terminate_backend(pid, " + TERMINATE_WAIT_MILLIS + ") FROM pg_stat_activity"
                        + " WHERE usename = ? AND pid <> pg_backend_pid()")) {
            s.setString(1, role);
            s.executeQuery().close();
        }
        try (PreparedStatement s = conn.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE usename = ?")) {
            s.setString(1, role);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                if (rs.getInt(1) > 0) {
                    throw new SQLException(rs.getInt(1) + " session(s) of " + role + " did not end", "55006");
                }
            }
        }
        conn.setAutoCommit(false);
        try (Statement s = conn.createStatement()) {
            s.execute("REASSIGN OWNED BY " + quoted + " TO CURRENT_USER");
            s.execute("DROP OWNED BY " + quoted);
            s.execute("DROP ROLE " + quoted);
            conn.commit();
        } catch (SQLException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(true);
        }
    }

    /**
     * What the connection role of dynamic mode lacks, each with the statement that grants it; empty when it has
     * everything. Needed: CREATEROLE (create, alter and grant itself membership in the roles it hands out);
     * INHERIT (ending a role's sessions and REASSIGN/DROP OWNED act with the privileges of that role, which the
     * connection role gets by membership just before dropping it); an existing group role; and on PostgreSQL 16
     * and later the ADMIN option on the group role. Membership in pg_signal_backend is not needed (it would allow
     * ending every non-superuser session of the cluster).
     */
    public static List<String> missingPrivileges(Connection conn, String groupRole) throws SQLException {
        List<String> missing = new ArrayList<>();
        String me;
        try (PreparedStatement s = conn.prepareStatement("SELECT r.rolname, r.rolsuper, r.rolcreaterole, r.rolinherit,"
                + " EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = ?),"
                + " current_setting('server_version_num')::int FROM pg_roles r WHERE r.rolname = current_user")) {
            s.setString(1, groupRole);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("connection role not found in pg_roles");
                }
                me = quoteIdentifier(rs.getString(1));
                if (rs.getBoolean(2)) {
                    return missing;
                }
                if (!rs.getBoolean(3)) {
                    missing.add("CREATEROLE (ALTER ROLE " + me + " CREATEROLE)");
                }
                if (!rs.getBoolean(4)) {
                    missing.add("INHERIT, to end the sessions of expired roles and take over what they own"
                            + " (ALTER ROLE " + me + " INHERIT)");
                }
                if (!rs.getBoolean(5)) {
                    missing.add("the group role " + quoteIdentifier(groupRole) + " (CREATE ROLE "
                            + quoteIdentifier(groupRole) + " NOLOGIN)");
                    return missing;
                }
                if (rs.getInt(6) < 160000) {
                    return missing;
                }
            }
        }
        try (PreparedStatement s = conn.prepareStatement("SELECT pg_has_role(?, 'MEMBER WITH ADMIN OPTION')")) {
            s.setString(1, groupRole);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    missing.add("the right to hand out " + quoteIdentifier(groupRole) + " (GRANT "
                            + quoteIdentifier(groupRole) + " TO " + me + " WITH ADMIN OPTION)");
                }
            }
        }
        return missing;
    }

    /**
     * True when a failure is worth retrying as it is (database down, unreachable, overloaded, shutting down);
     * false when the configuration is wrong (login refused, SSL mode not served, unknown database or group,
     * missing privileges) and an admin has to change something.
     */
    public static boolean transientFailure(SQLException e) {
        String state = e.getSQLState();
        if (state == null) {
            return true;
        }
        return state.equals("08000") || state.equals("08001") || state.equals("08003") || state.equals("08006")
                || state.startsWith("53") || state.startsWith("57P") || state.startsWith("58") || state.equals("40001")
                || state.equals("40P01") || state.equals("55006");
    }

    /** The driver's message for logs and admin answers: one line, bounded. Driver messages hold no passwords. */
    public static String describe(SQLException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().replaceAll("[\\r\\n\\t]+", " ");
        if (m.length() > 300) {
            m = m.substring(0, 300) + "...";
        }
        return m + " (SQLState " + e.getSQLState() + ")";
    }

    /** PostgreSQL identifier quoting (doubling embedded quotes), used for every identifier we send. */
    public static String quoteIdentifier(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    /** PostgreSQL literal quoting (standard_conforming_strings), for the values DDL cannot bind. */
    public static String quoteLiteral(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("NUL in literal");
        }
        return "'" + s.replace("'", "''") + "'";
    }

    /** libpq connection URI. */
    public static String uri(String user, String password, String host, int port, String database, String sslmode,
                             String options) {
        StringBuilder b = new StringBuilder("postgresql://").append(enc(user)).append(':').append(enc(password))
                .append('@').append(host).append(':').append(port).append('/').append(enc(database))
                .append("?sslmode=").append(enc(sslmode));
        if (options != null && !options.isEmpty()) {
            b.append("&options=").append(enc(options));
        }
        return b.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
