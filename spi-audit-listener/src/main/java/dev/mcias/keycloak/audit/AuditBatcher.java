package dev.mcias.keycloak.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

/**
 * Group commit for audit records: request threads hand their record to one writer thread per node and wait; the
 * writer appends everything that queued up while the previous batch was committing (at most {@code maxBatch}
 * records, after waiting at most {@code linger} for more) in ONE transaction, so N concurrent requests pay one
 * chain-head lock and one durable commit instead of N. {@link #append} returns only once the transaction holding
 * the record has committed, and throws if it did not: a caller that answers its request only after a normal
 * return never answers for a record that is not durable.
 *
 * <p>If a batch's transaction fails, each of its records is retried alone in a transaction of its own, so one
 * bad record fails only its own request; records that fail alone fail their callers. {@link #close} stops
 * taking records, writes everything already queued and then stops the thread.
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

    private record Pending(AuditRecordEntity record, CompletableFuture<Void> done) {
    }

    private final Writer writer;
    private final int maxBatch;
    private final long lingerNanos;
    private final long timeoutNanos;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final Object closeLock = new Object();
    private volatile boolean closed;

    /**
     * @param maxBatch records per transaction at most
     * @param linger   how long the writer waits for more records once it has one (zero: it takes only what is
     *                 queued already; batches then form from the records that arrive while a commit runs)
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
        this.thread = new Thread(this::run, "mcias-audit-group-commit");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Appends {@code record} in the next batch and returns once that batch has committed. After {@link #close}
     * the record is written alone on the caller's thread (still durable before return).
     *
     * @throws NotDurableException if the record's transaction failed, or did not commit within the timeout
     */
    public void append(AuditRecordEntity record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        boolean accepted;
        synchronized (closeLock) {
            accepted = !closed;
            if (accepted) {
                queue.add(new Pending(record, done));
            }
        }
        if (!accepted) {
            writeAlone(record);
            return;
        }
        try {
            done.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new NotDurableException("audit record not stored", e.getCause());
        } catch (TimeoutException e) {
            throw new NotDurableException("audit record not committed within " + Duration.ofNanos(timeoutNanos), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotDurableException("interrupted while waiting for the audit record's commit", e);
        }
    }

    private void writeAlone(AuditRecordEntity record) {
        try {
            writer.write(List.of(record));
        } catch (RuntimeException e) {
            throw new NotDurableException("audit record not stored", e);
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (true) {
            try {
                batch.clear();
                Pending first = closed ? queue.poll() : queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closed) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - batch.size());
                long deadline = System.nanoTime() + lingerNanos;
                while (batch.size() < maxBatch && lingerNanos > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    Pending next = queue.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    queue.drainTo(batch, maxBatch - batch.size());
                }
                commit(batch);
            } catch (InterruptedException e) {
                // Only close() interrupts, after setting closed: keep draining.
            } catch (Throwable t) {
                LOG.error("audit group commit: unexpected failure", t);
                for (Pending p : batch) {
                    p.done().completeExceptionally(t);
                }
            }
        }
    }

    private void commit(List<Pending> batch) {
        List<AuditRecordEntity> records = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            records.add(p.record());
        }
        // One lock order for every batch on every node (realm id, then arrival): two nodes' batches that touch
        // the same realms cannot deadlock on the chain heads.
        records.sort(Comparator.comparing(AuditRecordEntity::getRealmId));
        try {
            writer.write(records);
            for (Pending p : batch) {
                p.done().complete(null);
            }
            return;
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.get(0).done().completeExceptionally(e);
                return;
            }
            LOG.warnf(e, "audit group commit: batch of %d failed, retrying its records one by one", batch.size());
        }
        for (Pending p : batch) {
            try {
                writer.write(List.of(p.record()));
                p.done().complete(null);
            } catch (RuntimeException e) {
                p.done().completeExceptionally(e);
            }
        }
    }

    /** Records waiting for the writer (for tests and diagnostics). */
    int queued() {
        return queue.size();
    }

    /**
     * Stops taking records (later {@link #append} calls write on their own thread), commits everything already
     * queued, and waits up to {@code wait} for that.
     */
    public void close(Duration wait) {
        synchronized (closeLock) {
            closed = true;
        }
        try {
            thread.join(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warnf("audit group commit: %d records still queued after %s", queue.size(), wait);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
