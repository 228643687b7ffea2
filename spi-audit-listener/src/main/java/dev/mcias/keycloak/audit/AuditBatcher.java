package dev.mcias.keycloak.audit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jboss.logging.Logger;

/**
 * Group commit for audit records, leader/follower style: a request thread queues its record; if no batch is being
 * written it becomes the leader, takes everything queued (at most {@code maxBatch} records, after waiting at most
 * {@code linger} for more) and appends it in ONE transaction on its own thread; records queued meanwhile wait,
 * and when the leader's batch has committed the oldest of them leads the next batch. So N concurrent requests pay
 * one chain-head lock and one durable commit instead of N, and a lone request writes its record itself, with no
 * hand-off to another thread and back. {@link #append} returns only once the transaction holding the record has
 * committed, and throws if it did not: a caller that answers its request only after a normal return never
 * answers for a record that is not durable.
 *
 * <p>If a batch's transaction fails, each of its records is retried alone in a transaction of its own, so one
 * bad record fails only its own request; records that fail alone fail their callers. A waiting request gives up
 * after {@code timeout} (its record may still commit later: a record without an answer, never an answer without
 * a record); a leader's own write is bounded by the database's timeouts, as any other write. {@link #close}
 * stops taking records (later ones are written alone) and waits until everything queued is written.
 */
public final class AuditBatcher implements AutoCloseable {

    /** Writes all given records in one transaction, in the given order; throws if it did not commit. */
    @FunctionalInterface
    public interface Writer {
        void write(List<AuditRecordEntity> records);
    }

    /** Thrown to the request when its record could not be made durable. */
    public static final class NotDurableException extends RuntimeException {
        NotDurableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Logger LOG = Logger.getLogger(AuditBatcher.class);

    /** A queued record; every field but the record is guarded by {@link #lock}. */
    private static final class Pending {
        final AuditRecordEntity record;
        final Condition changed;
        boolean taken;
        boolean done;
        RuntimeException failure;

        Pending(AuditRecordEntity record, Condition changed) {
            this.record = record;
            this.changed = changed;
        }
    }

    private final Writer writer;
    private final int maxBatch;
    private final long lingerNanos;
    private final long timeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a record is queued (a lingering leader waits for company). */
    private final Condition arrived = lock.newCondition();
    /** Signalled when a batch is done (close waits for an empty queue). */
    private final Condition batchDone = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean writing;
    private boolean closed;

    /**
     * @param maxBatch records per transaction at most
     * @param linger   how long a leader waits for more records once it leads (zero: it takes only what is queued
     *                 already; batches then form from the records that arrive while a commit runs)
     * @param timeout  how long a caller waits for its batch before giving up (its request then fails)
     */
    public AuditBatcher(Writer writer, int maxBatch, Duration linger, Duration timeout) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be positive");
        }
        this.writer = writer;
        this.maxBatch = maxBatch;
        this.lingerNanos = linger.toNanos();
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * Appends {@code record} in the next batch and returns once that batch has committed. After {@link #close}
     * the record is written alone (still durable before return).
     *
     * @throws NotDurableException if the record's transaction failed, or did not commit within the timeout
     */
    public void append(AuditRecordEntity record) {
        long deadline = System.nanoTime() + timeoutNanos;
        Pending me;
        lock.lock();
        try {
            if (closed) {
                me = null;
            } else {
                me = new Pending(record, lock.newCondition());
                queue.addLast(me);
                arrived.signal();
            }
        } finally {
            lock.unlock();
        }
        if (me == null) {
            writeAlone(record);
            return;
        }
        List<Pending> batch;
        while ((batch = awaitTurn(me, deadline)) != null) {
            List<RuntimeException> outcomes = null;
            try {
                outcomes = commit(batch);
            } finally {
                // Even if the writer threw an Error: answer the batch and hand on the lead, or every later caller
                // would wait for a leader that is gone.
                finish(batch, outcomes);
            }
        }
        if (me.failure != null) {
            throw me.failure instanceof NotDurableException nd ? nd
                    : new NotDurableException("audit record not stored", me.failure);
        }
    }

    /**
     * Waits until {@code me} is committed (returns null; {@code me.failure} tells whether it failed) or until no
     * batch is being written while {@code me} is still queued: then this thread leads, and gets the batch to write.
     */
    private List<Pending> awaitTurn(Pending me, long deadline) {
        lock.lock();
        try {
            while (true) {
                if (me.done) {
                    return null;
                }
                if (!me.taken && !writing) {
                    writing = true;
                    return takeBatch();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    giveUp(me, new NotDurableException("audit record not committed within "
                            + Duration.ofNanos(timeoutNanos), null));
                    return null;
                }
                try {
                    me.changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    giveUp(me, new NotDurableException("interrupted while waiting for the audit record's commit", e));
                    return null;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** A caller stops waiting: a record nobody has taken yet leaves the queue, a taken one commits unanswered. */
    private void giveUp(Pending me, NotDurableException why) {
        if (!me.taken) {
            queue.remove(me);
        }
        me.done = true;
        me.failure = why;
        // This caller may have been the one finish() woke to lead next (an interrupt can swallow that signal):
        // pass the turn on, or the queue would wait for a new arrival or its timeouts.
        Pending next = queue.peekFirst();
        if (!writing && next != null) {
            next.changed.signal();
        }
    }

    /** The oldest queued records, after the linger; called with the lock held and {@link #writing} set. */
    private List<Pending> takeBatch() {
        if (lingerNanos > 0) {
            long deadline = System.nanoTime() + lingerNanos;
            long left;
            while (queue.size() < maxBatch && (left = deadline - System.nanoTime()) > 0) {
                try {
                    arrived.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break; // write what is there; the leader's own request still gets its answer
                }
            }
        }
        List<Pending> batch = new ArrayList<>(Math.min(maxBatch, queue.size()));
        while (batch.size() < maxBatch && !queue.isEmpty()) {
            Pending p = queue.pollFirst();
            p.taken = true;
            batch.add(p);
        }
        return batch;
    }

    /** Writes the batch without holding the lock; returns each record's failure (null: committed). */
    private List<RuntimeException> commit(List<Pending> batch) {
        List<AuditRecordEntity> records = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            records.add(p.record);
        }
        List<RuntimeException> outcomes = new ArrayList<>(batch.size());
        try {
            // One lock order for every batch on every node (realm id, then arrival): two nodes' batches that touch
            // the same realms cannot deadlock on the chain heads.
            records.sort(Comparator.comparing(AuditRecordEntity::getRealmId));
            writer.write(records);
            for (int i = 0; i < batch.size(); i++) {
                outcomes.add(null);
            }
            return outcomes;
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                outcomes.add(e);
                return outcomes;
            }
            LOG.warnf(e, "audit group commit: batch of %d failed, retrying its records one by one", batch.size());
        }
        for (Pending p : batch) {
            try {
                writer.write(List.of(p.record));
                outcomes.add(null);
            } catch (RuntimeException e) {
                outcomes.add(e);
            }
        }
        return outcomes;
    }

    /** Answers the batch's callers and lets the oldest queued record's thread lead the next batch. */
    private void finish(List<Pending> batch, List<RuntimeException> outcomes) {
        lock.lock();
        try {
            for (int i = 0; i < batch.size(); i++) {
                Pending p = batch.get(i);
                if (!p.done) {
                    p.done = true;
                    p.failure = outcomes != null ? outcomes.get(i)
                            : new NotDurableException("audit group commit failed", null);
                }
                p.changed.signal();
            }
            writing = false;
            Pending next = queue.peekFirst();
            if (next != null) {
                next.changed.signal();
            }
            batchDone.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void writeAlone(AuditRecordEntity record) {
        try {
            writer.write(List.of(record));
        } catch (RuntimeException e) {
            throw new NotDurableException("audit record not stored", e);
        }
    }

    /** Records waiting for a leader (for tests and diagnostics). */
    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops taking records (later {@link #append} calls write alone), and waits up to {@code wait} until everything
     * already queued is written (by the threads that queued it).
     */
    public void close(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            closed = true;
            long left;
            while ((writing || !queue.isEmpty()) && (left = deadline - System.nanoTime()) > 0) {
                batchDone.awaitNanos(left);
            }
            if (writing || !queue.isEmpty()) {
                LOG.warnf("audit group commit: %d records still queued after %s", queue.size(), wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
