package dev.mcias.keycloak.it.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.mcias.keycloak.audit.AuditChain;
import dev.mcias.keycloak.audit.AuditRecordEntity;

/** Raw access to the audit tables (PostgreSQL run): searching stored secrets, tampering as an attacker would. */
public final class AuditRows {

    private AuditRows() {
    }

    /** Every column of every audit row as text (PostgreSQL run); empty on H2, whose file the server holds. */
    public static String rawTable(KeycloakApi api) {
        if (!(api.server() instanceof DistributionKeycloakServer s) || s.testDatabase().pgDatabase() == null) {
            return "";
        }
        StringBuilder all = new StringBuilder();
        try (Connection c = TestDatabase.connect(s.testDatabase().pgDatabase()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select * from mcias_audit_record")) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    all.append(rs.getString(i)).append('|');
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        if (all.length() == 0) {
            throw new AssertionError("audit table is empty");
        }
        return all.toString();
    }

    /** The rows a query returns, each column by its (lower-case) name. */
    public static List<Map<String, Object>> rows(Connection c, String sql, Object... params) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.put(md.getColumnName(i).toLowerCase(java.util.Locale.ROOT), rs.getObject(i));
                    }
                    out.add(row);
                }
            }
        }
        return out;
    }

    /** Inserts rows as {@link #rows} returned them (puts deleted rows back). */
    public static void insert(Connection c, String table, List<Map<String, Object>> rows) throws SQLException {
        for (Map<String, Object> row : rows) {
            String cols = String.join(", ", row.keySet());
            String marks = String.join(", ", java.util.Collections.nCopies(row.size(), "?"));
            try (PreparedStatement s = c.prepareStatement("insert into " + table + " (" + cols + ") values (" + marks
                    + ")")) {
                int i = 1;
                for (Object v : row.values()) {
                    s.setObject(i++, v);
                }
                s.executeUpdate();
            }
        }
    }

    /**
     * Applies {@code edit} to the records of the realm from {@code fromSeq} on and recomputes every hash from there
     * to the head (records and head row), in one transaction under the head's row lock: a consistent rewrite, as
     * someone with write access to the database could do. The checkpoints are left alone.
     */
    public static void rechain(Connection c, String realmId, long fromSeq, Consumer<AuditRecordEntity> edit)
            throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            String prev;
            try (PreparedStatement s = c.prepareStatement(
                    "select last_seq from mcias_audit_head where realm_id = ? for update")) {
                s.setString(1, realmId);
                s.executeQuery().close();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "select prev_hash from mcias_audit_record where realm_id = ? and seq = ?")) {
                s.setString(1, realmId);
                s.setLong(2, fromSeq);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("no record " + fromSeq);
                    }
                    prev = rs.getString(1);
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "select * from mcias_audit_record where realm_id = ? and seq >= ? order by seq");
                 PreparedStatement u = c.prepareStatement("update mcias_audit_record set event_time = ?,"
                         + " user_agent = ?, user_id = ?, prev_hash = ?, hash = ? where id = ?")) {
                s.setString(1, realmId);
                s.setLong(2, fromSeq);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        AuditRecordEntity e = entity(rs);
                        edit.accept(e);
                        e.setPrevHash(prev);
                        prev = AuditChain.hash(e);
                        u.setLong(1, e.getTime());
                        u.setString(2, e.getUserAgent());
                        u.setString(3, e.getUserId());
                        u.setString(4, e.getPrevHash());
                        u.setString(5, prev);
                        u.setString(6, e.getId());
                        u.addBatch();
                    }
                }
                u.executeBatch();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "update mcias_audit_head set last_hash = ? where realm_id = ?")) {
                s.setString(1, prev);
                s.setString(2, realmId);
                s.executeUpdate();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** A stored record row (all columns the chain hash covers) as the entity the server hashes. */
    public static AuditRecordEntity entity(ResultSet rs) throws SQLException {
        AuditRecordEntity e = new AuditRecordEntity();
        e.setId(rs.getString("id"));
        e.setRealmId(rs.getString("realm_id"));
        e.setSeq(rs.getLong("seq"));
        e.setTime(rs.getLong("event_time"));
        e.setKind(rs.getString("kind"));
        e.setType(rs.getString("type"));
        e.setOutcome(rs.getString("outcome"));
        e.setError(rs.getString("error"));
        e.setUserId(rs.getString("user_id"));
        e.setClientId(rs.getString("client_id"));
        e.setSessionId(rs.getString("session_id"));
        e.setIpAddress(rs.getString("ip_address"));
        e.setUserAgent(rs.getString("user_agent"));
        e.setResourcePath(rs.getString("resource_path"));
        e.setDetails(rs.getString("details"));
        return e;
    }
}
