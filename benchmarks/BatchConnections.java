import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * PostgreSQL CPU of the audit group commit's batch statement (as DirectBatchWriter sends it: conditional head
 * update and an insert of one array per column, auto-committed) when consecutive batches go to one connection or
 * are spread over several, as a pool spreads them. Runs on scratch tables shaped like the audit tables, in the
 * database given, and drops them. Reads each backend's CPU from /proc: run it on the database's machine.
 *
 *   java -cp postgresql.jar benchmarks/BatchConnections.java jdbc:postgresql://127.0.0.1:5432/DB?user=postgres \
 *       RECORDS_PER_BATCH BATCHES CONNECTIONS...
 */
public class BatchConnections {

    static final String[] TEXT = {"ID", "REALM_ID", "KIND", "TYPE", "OUTCOME", "ERROR", "USER_ID", "CLIENT_ID",
            "SESSION_ID", "IP_ADDRESS", "USER_AGENT", "RESOURCE_PATH", "DETAILS", "PREV_HASH", "HASH"};
    static final String DETAILS = "{\"client_auth_method\":\"client-secret\",\"grant_type\":\"client_credentials\","
            + "\"scope\":\"profile email\",\"token_id\":\"trrtcc:236601b0-892d-a106-ed16-4763537a5638\","
            + "\"username\":\"service-account-bench\"}";

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int records = Integer.parseInt(args[1]);
        int batches = Integer.parseInt(args[2]);
        try (Connection admin = DriverManager.getConnection(url); Statement st = admin.createStatement()) {
            st.execute("DROP TABLE IF EXISTS bench_batch_rec; DROP TABLE IF EXISTS bench_batch_head;"
                    + " CREATE TABLE bench_batch_head (REALM_ID VARCHAR(36) PRIMARY KEY, LAST_SEQ BIGINT NOT NULL,"
                    + " LAST_HASH VARCHAR(64) NOT NULL);"
                    + " CREATE TABLE bench_batch_rec (ID VARCHAR(36) PRIMARY KEY, REALM_ID VARCHAR(36) NOT NULL,"
                    + " SEQ BIGINT NOT NULL, EVENT_TIME BIGINT NOT NULL, KIND VARCHAR(16) NOT NULL,"
                    + " TYPE VARCHAR(128) NOT NULL, OUTCOME VARCHAR(16) NOT NULL, ERROR VARCHAR(255),"
                    + " USER_ID VARCHAR(255), CLIENT_ID VARCHAR(255), SESSION_ID VARCHAR(255), IP_ADDRESS VARCHAR(255),"
                    + " USER_AGENT VARCHAR(512), RESOURCE_PATH VARCHAR(1024), DETAILS VARCHAR(8192),"
                    + " PREV_HASH VARCHAR(64) NOT NULL, HASH VARCHAR(64) NOT NULL, UNIQUE (REALM_ID, SEQ));"
                    + " CREATE INDEX bench_batch_time ON bench_batch_rec (REALM_ID, EVENT_TIME);"
                    + " INSERT INTO bench_batch_head VALUES ('r', 0, 'h0')");
            for (int a = 3; a < args.length; a++) {
                run(url, records, batches, Integer.parseInt(args[a]));
            }
            st.execute("DROP TABLE bench_batch_rec; DROP TABLE bench_batch_head");
        }
    }

    static void run(String url, int records, int batches, int connections) throws Exception {
        String sql = "WITH h AS (UPDATE bench_batch_head SET LAST_SEQ = ?, LAST_HASH = ? WHERE REALM_ID = ?"
                + " AND LAST_SEQ = ? AND LAST_HASH = ? RETURNING REALM_ID)"
                + " INSERT INTO bench_batch_rec (SEQ, EVENT_TIME, " + String.join(", ", TEXT) + ")"
                + " SELECT * FROM unnest(?::bigint[], ?::bigint[]" + ", ?::varchar[]".repeat(TEXT.length) + ")"
                + " WHERE EXISTS (SELECT 1 FROM h)";
        List<Connection> pool = new ArrayList<>();
        List<Integer> pids = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                Connection c = DriverManager.getConnection(url);
                try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    pids.add(rs.getInt(1));
                }
                pool.add(c);
            }
            long[] head = {0};
            String[] hash = {"h0"};
            try (Statement st = pool.get(0).createStatement();
                    ResultSet rs = st.executeQuery("SELECT LAST_SEQ, LAST_HASH FROM bench_batch_head")) {
                rs.next();
                head[0] = rs.getLong(1);
                hash[0] = rs.getString(2);
            }
            int warmup = Math.max(200, 10 * connections);
            long cpu0 = 0;
            long t0 = 0;
            for (int b = 0; b < warmup + batches; b++) {
                if (b == warmup) {
                    cpu0 = cpu(pids);
                    t0 = System.nanoTime();
                }
                Connection c = pool.get(b % connections);
                String next = "h" + (head[0] + records);
                String[][] text = new String[TEXT.length][records];
                Long[] seqs = new Long[records];
                Long[] times = new Long[records];
                for (int k = 0; k < records; k++) {
                    String[] v = {UUID.randomUUID().toString(), "r", "USER", "CLIENT_LOGIN", "success", null,
                            UUID.randomUUID().toString(), "bench", null, "127.0.0.1", null, null, DETAILS, hash[0],
                            next};
                    for (int col = 0; col < v.length; col++) {
                        text[col][k] = v[col];
                    }
                    seqs[k] = head[0] + 1 + k;
                    times[k] = System.currentTimeMillis();
                }
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int i = 0;
                    ps.setLong(++i, head[0] + records);
                    ps.setString(++i, next);
                    ps.setString(++i, "r");
                    ps.setLong(++i, head[0]);
                    ps.setString(++i, hash[0]);
                    ps.setArray(++i, c.createArrayOf("int8", seqs));
                    ps.setArray(++i, c.createArrayOf("int8", times));
                    for (String[] column : text) {
                        ps.setArray(++i, c.createArrayOf("varchar", column));
                    }
                    if (ps.executeUpdate() != records) {
                        throw new IllegalStateException("batch not inserted");
                    }
                }
                head[0] += records;
                hash[0] = next;
            }
            long wallUs = (System.nanoTime() - t0) / 1000 / batches;
            long cpuUs = (cpu(pids) - cpu0) * 1000 / batches;
            System.out.printf("records_per_batch=%d connections=%d batches=%d wall_us_per_batch=%d"
                    + " backend_cpu_us_per_batch=%d%n", records, connections, batches, wallUs, cpuUs);
        } finally {
            for (Connection c : pool) {
                c.close();
            }
        }
    }

    /** User + system CPU (ms) of the given backends, from /proc (Linux clock ticks, 100 per second). */
    static long cpu(List<Integer> pids) throws Exception {
        long total = 0;
        for (int pid : pids) {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        }
        return total;
    }
}
