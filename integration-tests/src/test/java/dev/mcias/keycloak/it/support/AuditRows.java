package dev.mcias.keycloak.it.support;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;

/** Raw access to the audit table, for searching stored secrets. */
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
}
