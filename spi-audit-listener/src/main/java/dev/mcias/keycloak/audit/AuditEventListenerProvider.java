package dev.mcias.keycloak.audit;

import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.logging.Logger;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakTransactionManager;
import org.keycloak.models.utils.KeycloakModelUtils;

import dev.mcias.keycloak.audit.checkpoint.Checkpointer;

/**
 * Appends every user and admin event to the realm's audit chain inside the transaction that produced it (in
 * its prepare phase, just before Keycloak's own commit), so a record exists exactly when the transaction
 * commits. Keycloak sends error events in a transaction of their own, which this therefore commits too. The
 * JSON log line is written after commit. Records of transactions that change no state ({@link GroupCommitRule})
 * go through the node's group commit ({@link AuditBatcher}) instead, after their transaction and before the answer.
 */
public class AuditEventListenerProvider implements EventListenerProvider {

    private static final Logger LOG = Logger.getLogger(AuditEventListenerProvider.class);

    private final KeycloakSession session;
    private final Logger auditLog;
    private final UsernameFingerprint fingerprint;
    private final Checkpointer checkpointer;
    private final AuditBatcher batcher;

    /**
     * {@code checkpointer}: signs checkpoints, or null without a key file; {@code batcher}: the node's group commit,
     * or null to write every record in its own transaction.
     */
    public AuditEventListenerProvider(KeycloakSession session, Logger auditLog, UsernameFingerprint fingerprint,
            Checkpointer checkpointer, AuditBatcher batcher) {
        this.session = session;
        this.auditLog = auditLog;
        this.fingerprint = fingerprint;
        this.checkpointer = checkpointer;
        this.batcher = batcher;
    }

    @Override
    public void onEvent(Event event) {
        record(AuditRecords.fromEvent(event, userAgent(), fingerprint));
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        record(AuditRecords.fromAdminEvent(event, userAgent()));
    }

    private void record(AuditRecordEntity record) {
        if (record.getRealmId() == null) {
            return;
        }
        KeycloakTransactionManager tx = session.getTransactionManager();
        boolean error = "error".equals(record.getOutcome());
        if (tx.isActive() && tx.getRollbackOnly() && !error) {
            return; // the action this success event describes is being rolled back
        }
        boolean grouped = batcher != null && GroupCommitRule.batched(record);
        if (!tx.isActive() || tx.getRollbackOnly()) {
            // No transaction to join (event sent after commit) or one that will roll back (an error event):
            // make the record durable on its own, now.
            if (grouped) {
                batcher.append(record);
            } else {
                KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), s -> {
                    AuditStore store = new AuditStore(s);
                    store.deliverWebhooksAfterCommit();
                    store.append(record);
                });
            }
            log(record);
            return;
        }
        if (grouped) {
            // A transaction that changes nothing a record vouches for (GroupCommitRule): once it has committed
            // (releasing its locks), wait for the batch holding the record. This runs inside Keycloak's commit,
            // before the answer is written; if the record is not durable it throws, and the request fails.
            tx.enlistAfterCompletion(new AbstractTx() {
                @Override
                protected void commitImpl() {
                    batcher.append(record);
                    log(record);
                }
            });
            return;
        }
        AuditStore store = new AuditStore(session);
        store.deliverWebhooksAfterCommit(); // now: once the prepare phase runs, Keycloak takes no more participants
        tx.enlistPrepare(new AbstractTx() {
            @Override
            protected void commitImpl() {
                store.append(record);
            }
        });
        tx.enlistAfterCompletion(new AbstractTx() {
            @Override
            protected void commitImpl() {
                log(record);
            }
        });
    }

    private void log(AuditRecordEntity record) {
        log(auditLog, record);
        if (checkpointer != null) {
            checkpointer.committed(record); // every N-th record: a signed checkpoint, off this thread
        }
    }

    /** Writes the record as one JSON line at INFO to the audit log category. */
    static void log(Logger auditLog, AuditRecordEntity record) {
        if (auditLog.isInfoEnabled()) {
            try {
                auditLog.info(AuditRecords.toJson(record));
            } catch (Exception e) {
                LOG.warn("cannot write audit log line", e);
            }
        }
    }

    private String userAgent() {
        try {
            HttpHeaders headers = session.getContext().getHttpRequest().getHttpHeaders();
            return headers == null ? null : headers.getHeaderString("User-Agent");
        } catch (RuntimeException e) {
            return null; // no HTTP request behind this event (e.g. a scheduled task)
        }
    }

    @Override
    public void close() {
    }

    /** Writes the log line of a record appended outside the listener (e.g. a purge) once the transaction commits. */
    static void logAfterCommit(KeycloakSession session, AuditRecordEntity record) {
        if (record == null) {
            return;
        }
        Logger auditLog = session.getKeycloakSessionFactory().getProviderFactory(EventListenerProvider.class,
                AuditEventListenerProviderFactory.ID) instanceof AuditEventListenerProviderFactory f ? f.auditLog()
                : Logger.getLogger(AuditEventListenerProviderFactory.DEFAULT_LOG_CATEGORY);
        session.getTransactionManager().enlistAfterCompletion(new AbstractTx() {
            @Override
            protected void commitImpl() {
                log(auditLog, record);
            }
        });
    }

    /** A transaction participant that only acts on commit. */
    private abstract static class AbstractTx extends AbstractKeycloakTransaction {
        @Override
        protected void rollbackImpl() {
        }
    }
}
