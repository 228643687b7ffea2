package dev.mcias.keycloak.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.persistence.EntityManagerFactory;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.jboss.logging.Logger;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.transaction.JtaTransactionManagerLookup;

import dev.mcias.keycloak.audit.AuditStore.Head;

/**
 * The group commit's common case, written on a connection of Keycloak's pool without a Keycloak session, a JTA
 * transaction or Hibernate: every realm of the batch has a head this node wrote last ({@code known}), and no outbox
 * row has to be written with the records (no webhook secret configured). On PostgreSQL a batch of one realm is ONE
 * statement in auto-commit (a data-modifying {@code WITH}: the conditional head update, and the insert of all
 * records, passed as one array per column, only if it matched), so the batch costs one round trip to the database
 * instead of three (update, inserts, commit); on other databases, and for batches of several realms, the
 * conditional updates and one JDBC batch of inserts run in one local transaction.
 *
 * <p>Why it matters: the batch is the node's one serialized section. Under load every round trip in it waits for
 * the database process and then the writing thread to get a CPU again, while every other request's record waits
 * behind it (docs/benchmarks.md).
 *
 * <p>The writer keeps ONE connection of the pool for itself (batches of a node are written one at a time anyway),
 * named {@value #APPLICATION_NAME} on PostgreSQL: the same statement sent to whichever of Keycloak's twenty-odd
 * pooled connections a leading thread happens to get cost PostgreSQL three to four times the CPU of the same
 * statement on one connection (docs/benchmarks.md, session 8), on top of the pool's own bookkeeping. It is handed
 * back to the pool after {@link #IDLE_RETURN} without a batch (a quiet node then holds nothing the pool does not
 * check, and the next batch takes a fresh connection), after any failure, and by {@link #close}. If the connection
 * turns out to be broken (SQL state class 08, or the server ended the session: 57P0x), the batch is tried once more
 * on a fresh one; whether the first attempt committed before the connection broke is checked first (its last record
 * is stored or not: a batch is all or nothing), so the retry never writes a record twice.
 *
 * <p>The guarantees are the ones of {@link AuditStore#appendAll}: the conditional update both locks the head row and
 * proves nobody appended since; if it does not match (another node or an in-transaction append moved the head)
 * nothing is written and {@link #tryAppend} returns null, and the caller writes the batch through
 * {@code appendAll}, which locks and reads the head.
 */
final class DirectBatchWriter {

    /** Columns of a record, in the order {@link #bind} sets them. */
    static final String COLUMNS = "ID, REALM_ID, SEQ, EVENT_TIME, KIND, TYPE, OUTCOME, ERROR, USER_ID,"
            + " CLIENT_ID, SESSION_ID, IP_ADDRESS, USER_AGENT, RESOURCE_PATH, DETAILS, PREV_HASH, HASH";
    private static final int PARAMS_PER_RECORD = 17;
    /** One record's placeholders. */
    static final String ROW_PARAMS = "?, ".repeat(PARAMS_PER_RECORD - 1) + "?";
    /** The varchar columns of a record, in the order {@link #singleStatement} sets them. */
    private static final String[] TEXT_COLUMNS = {"ID", "REALM_ID", "KIND", "TYPE", "OUTCOME", "ERROR", "USER_ID",
            "CLIENT_ID", "SESSION_ID", "IP_ADDRESS", "USER_AGENT", "RESOURCE_PATH", "DETAILS", "PREV_HASH", "HASH"};

    /** What {@code pg_stat_activity} shows for the writer's connection. */
    static final String APPLICATION_NAME = "mcias-audit-group-commit";

    /** How long the held connection may go without a batch before it goes back to the pool. */
    static final long IDLE_RETURN = TimeUnit.SECONDS.toNanos(30);

    private static final Logger LOG = Logger.getLogger(DirectBatchWriter.class);

    private final ConnectionProvider connections;
    private final TransactionManager transactions;
    private final AuditStore.Tables tables;
    private final String singleStatement;
    private volatile Boolean postgres;
    /**
     * Guards the held connection. Uncontended in the common case (the group commit has one leader at a time); after
     * the group commit has closed, records written alone may come from several threads at once.
     */
    private final ReentrantLock lock = new ReentrantLock();
    /** The writer's own pooled connection, null until the first batch or after a failure; guarded by {@link #lock}. */
    private Connection held;
    /** The held connection's application name before the writer renamed it (restored when handed back). */
    private String previousApplicationName;
    /** When the held connection last wrote a batch ({@link System#nanoTime}); guarded by {@link #lock}. */
    private long heldLastUsed;
    private boolean closed;

    /** For the JPA layer of {@code factory}'s Keycloak (opens one session to find it). */
    static DirectBatchWriter create(KeycloakSessionFactory factory) {
        EntityManagerFactory emf = KeycloakModelUtils.runJobInTransactionWithResult(factory,
                s -> s.getProvider(JpaConnectionProvider.class).getEntityManager().getEntityManagerFactory());
        TransactionManager tm = factory.getProviderFactory(JtaTransactionManagerLookup.class)
                instanceof JtaTransactionManagerLookup lookup ? lookup.getTransactionManager() : null;
        return new DirectBatchWriter(emf, tm);
    }

    /** {@code transactions}: Keycloak's JTA transaction manager, or null if there is none. */
    DirectBatchWriter(EntityManagerFactory emf, TransactionManager transactions) {
        this.connections = emf.unwrap(SessionFactoryImplementor.class).getServiceRegistry()
                .requireService(ConnectionProvider.class);
        this.transactions = transactions;
        this.tables = AuditStore.Tables.of(emf);
        // The records as one array per column, unnested into rows: the statement's text does not depend on the
        // batch's size, so each pooled connection prepares and plans it once.
        this.singleStatement = "WITH h AS (" + tables.moveHead() + " RETURNING REALM_ID) INSERT INTO "
                + tables.record() + " (SEQ, EVENT_TIME, " + String.join(", ", TEXT_COLUMNS) + ") SELECT * FROM unnest("
                + "?::bigint[], ?::bigint[]" + ", ?::varchar[]".repeat(TEXT_COLUMNS.length)
                + ") WHERE EXISTS (SELECT 1 FROM h)";
    }

    /**
     * Appends {@code records} (ordered by realm) after the heads in {@code known}, in one transaction. Returns where
     * each realm's chain then ends, or null if a realm's head is not known or has moved: then nothing was written
     * (the records' ids, seqs and hashes are set, and will be set again by whoever writes them).
     *
     * @throws IllegalStateException if the database failed; nothing was written unless the failure hid a commit
     */
    Map<String, Head> tryAppend(List<AuditRecordEntity> records, Map<String, Head> known) {
        List<List<AuditRecordEntity>> runs = AuditStore.runsByRealm(records);
        List<Head> before = new ArrayList<>(runs.size());
        Map<String, Head> after = new HashMap<>();
        for (List<AuditRecordEntity> run : runs) {
            Head head = known.get(run.get(0).getRealmId());
            if (head == null) {
                return null;
            }
            before.add(head);
            after.put(run.get(0).getRealmId(), AuditStore.chain(run, head));
        }
        // A record appended from inside another transaction (an error event while a request rolls back) must not
        // join it: the writer's connection is taken, and used, outside any JTA transaction.
        Transaction suspended = suspend();
        lock.lock();
        try {
            if (closed) {
                return null; // shutting down: the general way, which needs no connection kept open
            }
            try {
                return write(runs, before, after) ? after : null;
            } catch (SQLException e) {
                if (!brokenConnection(e)) {
                    throw e;
                }
                LOG.debugf("audit group commit: connection broken (%s), trying the batch on a fresh one",
                        e.getSQLState());
                if (stored(runs)) {
                    return after; // the first attempt committed before the connection broke
                }
                return write(runs, before, after) ? after : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("audit batch not written: " + e.getMessage(), e);
        } finally {
            lock.unlock();
            resume(suspended);
        }
    }

    /** One attempt on the held connection; a connection that failed goes back to the pool. Under {@link #lock}. */
    private boolean write(List<List<AuditRecordEntity>> runs, List<Head> before, Map<String, Head> after)
            throws SQLException {
        boolean ok = false;
        try {
            Connection c = connection();
            boolean written = runs.size() == 1 && isPostgres(c)
                    ? singleStatement(c, runs.get(0), before.get(0), after.get(runs.get(0).get(0).getRealmId()))
                    : localTransaction(c, runs, before, after);
            heldLastUsed = System.nanoTime();
            ok = true;
            return written;
        } finally {
            if (!ok) {
                release(); // possibly broken: back to the pool (which decides), the next attempt takes a fresh one
            }
        }
    }

    /** Whether the batch of {@code runs} is stored: its last record is (all or nothing). Under {@link #lock}. */
    private boolean stored(List<List<AuditRecordEntity>> runs) throws SQLException {
        List<AuditRecordEntity> lastRun = runs.get(runs.size() - 1);
        boolean ok = false;
        try {
            try (PreparedStatement ps = connection().prepareStatement(
                    "SELECT 1 FROM " + tables.record() + " WHERE ID = ?")) {
                ps.setString(1, lastRun.get(lastRun.size() - 1).getId());
                try (ResultSet rs = ps.executeQuery()) {
                    ok = true;
                    return rs.next();
                }
            }
        } finally {
            if (!ok) {
                release();
            }
        }
    }

    /** The connection itself is gone (not the statement refused): SQL state class 08, or 57P01-57P03. */
    static boolean brokenConnection(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P0"))) {
                return true;
            }
        }
        return false;
    }

    /** Hands the writer's connection back to the pool; later batches go the general way. */
    void close() {
        lock.lock();
        try {
            closed = true;
            release();
        } finally {
            lock.unlock();
        }
    }

    /** The held connection, taken from the pool (and named, on PostgreSQL) if there is none; under {@link #lock}. */
    private Connection connection() throws SQLException {
        if (held != null && System.nanoTime() - heldLastUsed > IDLE_RETURN) {
            release(); // a quiet spell: let the pool check (or replace) it, take whatever it hands out now
        }
        if (held == null) {
            Connection c = connections.getConnection();
            try {
                if (isPostgres(c)) {
                    previousApplicationName = c.getClientInfo("ApplicationName");
                    c.setClientInfo("ApplicationName", APPLICATION_NAME);
                }
            } catch (SQLException | RuntimeException e) {
                connections.closeConnection(c);
                throw e;
            }
            held = c;
            heldLastUsed = System.nanoTime();
        }
        return held;
    }

    /** Gives the held connection back to the pool, under its old name; under {@link #lock}. */
    private void release() {
        Connection c = held;
        held = null;
        if (c == null) {
            return;
        }
        try {
            if (Boolean.TRUE.equals(postgres)) {
                c.setClientInfo("ApplicationName", previousApplicationName == null ? "" : previousApplicationName);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("audit group commit: connection not renamed before going back to the pool: %s",
                    e.getMessage());
        }
        try {
            connections.closeConnection(c);
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("audit group commit: connection not handed back to the pool: %s", e.getMessage());
        }
    }

    /** PostgreSQL, one realm: one auto-committed statement; true if the head matched and all records went in. */
    private boolean singleStatement(Connection c, List<AuditRecordEntity> run, Head before, Head after)
            throws SQLException {
        if (!c.getAutoCommit()) {
            c.setAutoCommit(true);
        }
        int n = run.size();
        String[][] text = new String[TEXT_COLUMNS.length][n];
        Long[] seqs = new Long[n];
        Long[] times = new Long[n];
        for (int k = 0; k < n; k++) {
            AuditRecordEntity r = run.get(k);
            String[] values = {r.getId(), r.getRealmId(), r.getKind(), r.getType(), r.getOutcome(), r.getError(),
                    r.getUserId(), r.getClientId(), r.getSessionId(), r.getIpAddress(), r.getUserAgent(),
                    r.getResourcePath(), r.getDetails(), r.getPrevHash(), r.getHash()};
            for (int col = 0; col < values.length; col++) {
                text[col][k] = values[col];
            }
            seqs[k] = r.getSeq();
            times[k] = r.getTime();
        }
        try (PreparedStatement ps = c.prepareStatement(singleStatement)) {
            int i = bindHead(ps, 0, run.get(0).getRealmId(), before, after);
            ps.setArray(++i, c.createArrayOf("int8", seqs));
            ps.setArray(++i, c.createArrayOf("int8", times));
            for (String[] column : text) {
                ps.setArray(++i, c.createArrayOf("varchar", column));
            }
            int inserted = ps.executeUpdate();
            if (inserted != 0 && inserted != n) {
                throw new IllegalStateException("audit batch: " + inserted + " of " + n + " records inserted");
            }
            return inserted == n;
        }
    }

    /** Any database, any number of realms: conditional head updates, then one JDBC batch of inserts, one commit. */
    private boolean localTransaction(Connection c, List<List<AuditRecordEntity>> runs, List<Head> before,
            Map<String, Head> after) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        if (autoCommit) {
            c.setAutoCommit(false);
        }
        boolean committed = false;
        try {
            try (PreparedStatement ps = c.prepareStatement(tables.moveHead())) {
                for (int r = 0; r < runs.size(); r++) {
                    String realmId = runs.get(r).get(0).getRealmId();
                    bindHead(ps, 0, realmId, before.get(r), after.get(realmId));
                    if (ps.executeUpdate() != 1) {
                        return false; // rolled back below: nothing written
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(tables.insertRecord())) {
                for (List<AuditRecordEntity> run : runs) {
                    for (AuditRecordEntity r : run) {
                        bind(ps, 0, r);
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
            committed = true;
            return true;
        } finally {
            if (!committed) {
                c.rollback();
            }
            if (autoCommit) {
                c.setAutoCommit(true);
            }
        }
    }

    /** The parameters of {@link AuditStore.Tables#moveHead} from position {@code i + 1}; returns the last set. */
    private static int bindHead(PreparedStatement ps, int i, String realmId, Head before, Head after)
            throws SQLException {
        ps.setLong(++i, after.lastSeq());
        ps.setString(++i, after.lastHash());
        ps.setString(++i, realmId);
        ps.setLong(++i, before.lastSeq());
        ps.setString(++i, before.lastHash());
        return i;
    }

    /** A record's columns ({@link #COLUMNS}) from position {@code i + 1}; returns the last position set. */
    static int bind(PreparedStatement ps, int i, AuditRecordEntity r) throws SQLException {
        ps.setString(++i, r.getId());
        ps.setString(++i, r.getRealmId());
        ps.setLong(++i, r.getSeq());
        ps.setLong(++i, r.getTime());
        ps.setString(++i, r.getKind());
        ps.setString(++i, r.getType());
        ps.setString(++i, r.getOutcome());
        setNullable(ps, ++i, r.getError());
        setNullable(ps, ++i, r.getUserId());
        setNullable(ps, ++i, r.getClientId());
        setNullable(ps, ++i, r.getSessionId());
        setNullable(ps, ++i, r.getIpAddress());
        setNullable(ps, ++i, r.getUserAgent());
        setNullable(ps, ++i, r.getResourcePath());
        setNullable(ps, ++i, r.getDetails());
        ps.setString(++i, r.getPrevHash());
        ps.setString(++i, r.getHash());
        return i;
    }

    private static void setNullable(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }

    private boolean isPostgres(Connection c) throws SQLException {
        Boolean pg = postgres;
        if (pg == null) {
            pg = "PostgreSQL".equalsIgnoreCase(c.getMetaData().getDatabaseProductName());
            postgres = pg;
        }
        return pg;
    }

    private Transaction suspend() {
        if (transactions == null) {
            return null;
        }
        try {
            return transactions.suspend();
        } catch (SystemException e) {
            throw new IllegalStateException("cannot suspend the current transaction", e);
        }
    }

    private void resume(Transaction suspended) {
        if (suspended != null) {
            try {
                transactions.resume(suspended);
            } catch (Exception e) {
                throw new IllegalStateException("cannot resume the suspended transaction", e);
            }
        }
    }
}
