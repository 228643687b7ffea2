package dev.mcias.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuditBatcherTest {

    /** Records the batches it is given; blocks every write while {@code gate} is closed. */
    static final class FakeWriter implements AuditBatcher.Writer {
        final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        volatile CountDownLatch gate = new CountDownLatch(0);
        final CountDownLatch firstWriteStarted = new CountDownLatch(1);
        volatile String failOn;
        volatile boolean failAll;

        @Override
        public void write(List<AuditRecordEntity> records) {
            firstWriteStarted.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            List<String> types = records.stream().map(AuditRecordEntity::getType).toList();
            if (failAll || (failOn != null && types.contains(failOn))) {
                throw new IllegalStateException("database refused " + types);
            }
            batches.add(types);
            threads.add(Thread.currentThread());
        }
    }

    final FakeWriter writer = new FakeWriter();
    AuditBatcher batcher;

    @AfterEach
    void tearDown() {
        writer.gate.countDown();
        if (batcher != null) {
            batcher.close(Duration.ofSeconds(5));
        }
    }

    static AuditRecordEntity record(String realm, String type) {
        AuditRecordEntity r = new AuditRecordEntity();
        r.setRealmId(realm);
        r.setType(type);
        return r;
    }

    static CompletableFuture<Void> async(AuditBatcher b, AuditRecordEntity r) {
        return CompletableFuture.runAsync(() -> b.append(r), r2 -> new Thread(r2).start());
    }

    /** Blocks the writer on a first record, queues {@code n} more, and returns their futures. */
    List<CompletableFuture<Void>> queueBehindBlockedWrite(int n) throws Exception {
        writer.gate = new CountDownLatch(1);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        all.add(async(batcher, record("r", "first")));
        assertTrue(writer.firstWriteStarted.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < n; i++) {
            all.add(async(batcher, record("r", "e" + i)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (batcher.queued() < n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(n, batcher.queued(), "records queue while a commit runs");
        for (CompletableFuture<Void> f : all) {
            assertFalse(f.isDone(), "nobody is answered before their batch commits");
        }
        return all;
    }

    @Test
    void recordsQueuedDuringACommitGoInOneBatchBoundedBySize() throws Exception {
        batcher = new AuditBatcher(writer, 4, Duration.ZERO, Duration.ofSeconds(30));
        List<CompletableFuture<Void>> all = queueBehindBlockedWrite(10);
        writer.gate.countDown();
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        List<Integer> sizes = writer.batches.stream().map(List::size).toList();
        assertEquals(List.of(1, 4, 4, 2), sizes, "first alone, then the queue in batches of at most 4");
        assertEquals(11, writer.batches.stream().mapToInt(List::size).sum());
    }

    @Test
    void aLoneRecordIsWrittenAtOnceWithoutWaitingForCompany() throws Exception {
        batcher = new AuditBatcher(writer, 64, Duration.ofMillis(5), Duration.ofSeconds(30));
        long start = System.nanoTime();
        batcher.append(record("r", "alone"));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(List.of(List.of("alone")), writer.batches);
        assertTrue(tookMs < 2000, "a lone record waits the linger (5 ms), not more: took " + tookMs + " ms");
    }

    @Test
    void lingerCollectsRecordsArrivingShortlyAfter() throws Exception {
        batcher = new AuditBatcher(writer, 64, Duration.ofMillis(500), Duration.ofSeconds(30));
        CompletableFuture<Void> a = async(batcher, record("r", "a"));
        CompletableFuture<Void> b = async(batcher, record("r", "b"));
        CompletableFuture.allOf(a, b).get(10, TimeUnit.SECONDS);
        assertEquals(1, writer.batches.size(), "both in the same batch: " + writer.batches);
    }

    @Test
    void batchesAreOrderedByRealmSoNodesLockChainHeadsInOneOrder() throws Exception {
        batcher = new AuditBatcher(writer, 64, Duration.ZERO, Duration.ofSeconds(30));
        writer.gate = new CountDownLatch(1);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        all.add(async(batcher, record("m", "first")));
        assertTrue(writer.firstWriteStarted.await(10, TimeUnit.SECONDS));
        for (String realm : List.of("z", "a", "m")) {
            all.add(async(batcher, record(realm, realm)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (batcher.queued() < all.size() - 1 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        }
        writer.gate.countDown();
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertEquals(List.of("a", "m", "z"), writer.batches.get(1));
    }

    @Test
    void aFailedBatchIsRetriedRecordByRecordAndOnlyTheBadRecordFails() throws Exception {
        batcher = new AuditBatcher(writer, 64, Duration.ZERO, Duration.ofSeconds(30));
        List<CompletableFuture<Void>> all = queueBehindBlockedWrite(5);
        CompletableFuture<Void> bad = async(batcher, record("r", "bad"));
        writer.failOn = "bad";
        writer.gate.countDown();
        ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
        assertInstanceOf(AuditBatcher.NotDurableException.class, e.getCause());
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertEquals(6, writer.batches.stream().mapToInt(List::size).sum(), "all but the bad one stored");
        assertFalse(writer.batches.stream().anyMatch(b -> b.contains("bad")));
    }

    @Test
    void whenTheDatabaseFailsEveryWaitingCallerFails() throws Exception {
        batcher = new AuditBatcher(writer, 64, Duration.ZERO, Duration.ofSeconds(30));
        List<CompletableFuture<Void>> all = queueBehindBlockedWrite(5);
        writer.failAll = true;
        writer.gate.countDown();
        for (CompletableFuture<Void> f : all) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertInstanceOf(AuditBatcher.NotDurableException.class, e.getCause());
        }
        assertEquals(List.of(), writer.batches);
        // Later callers still get a leader.
        writer.failAll = false;
        batcher.append(record("r", "later"));
        assertEquals(List.of(List.of("later")), writer.batches);
    }

    @Test
    void aCallerGivesUpAfterTheTimeoutInsteadOfAnsweringWithoutADurableRecord() throws Exception {
        batcher = new AuditBatcher(writer, 64, Duration.ZERO, Duration.ofMillis(200));
        writer.gate = new CountDownLatch(1);
        CompletableFuture<Void> stuckLeader = async(batcher, record("r", "stuck"));
        assertTrue(writer.firstWriteStarted.await(10, TimeUnit.SECONDS));
        AuditBatcher.NotDurableException e = assertThrows(AuditBatcher.NotDurableException.class,
                () -> batcher.append(record("r", "behind")));
        assertTrue(e.getMessage().contains("not committed"), e.getMessage());
        assertEquals(0, batcher.queued(), "a caller that gave up leaves the queue: its record is never written");
        writer.gate.countDown();
        stuckLeader.get(10, TimeUnit.SECONDS);
        assertEquals(List.of(List.of("stuck")), writer.batches);
    }

    @Test
    void aLoneCallerWritesItsRecordOnItsOwnThread() {
        batcher = new AuditBatcher(writer, 64, Duration.ZERO, Duration.ofSeconds(30));
        batcher.append(record("r", "alone"));
        assertSame(Thread.currentThread(), writer.threads.get(0), "no hand-off to another thread and back");
    }

    @Test
    void theNextBatchIsLedByAWaitingCallerSoTheLeaderIsAnsweredAtOnce() throws Exception {
        batcher = new AuditBatcher(writer, 64, Duration.ZERO, Duration.ofSeconds(30));
        List<CompletableFuture<Void>> all = queueBehindBlockedWrite(3);
        writer.gate.countDown();
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertEquals(2, writer.batches.size(), "one batch for everything queued behind the first");
        assertEquals(List.of("e0", "e1", "e2"), writer.batches.get(1).stream().sorted().toList());
        assertFalse(writer.threads.get(0) == writer.threads.get(1), "the first leader did not write the second batch");
    }

    @Test
    void aWriterThatThrowsAnErrorFailsItsBatchAndDoesNotStallLaterCallers() throws Exception {
        AuditBatcher.Writer failing = records -> {
            if (records.stream().anyMatch(r -> "boom".equals(r.getType()))) {
                throw new AssertionError("not a RuntimeException");
            }
            writer.write(records);
        };
        batcher = new AuditBatcher(failing, 64, Duration.ZERO, Duration.ofSeconds(30));
        assertThrows(AssertionError.class, () -> batcher.append(record("r", "boom")));
        batcher.append(record("r", "later"));
        assertEquals(List.of(List.of("later")), writer.batches);
    }

    @Test
    void closeCommitsEverythingQueuedThenWritesLateRecordsOnTheCallersThread() throws Exception {
        batcher = new AuditBatcher(writer, 2, Duration.ZERO, Duration.ofSeconds(30));
        List<CompletableFuture<Void>> all = queueBehindBlockedWrite(5);
        AtomicReference<Throwable> closeFailed = new AtomicReference<>();
        Thread closer = new Thread(() -> {
            try {
                batcher.close(Duration.ofSeconds(10));
            } catch (Throwable t) {
                closeFailed.set(t);
            }
        });
        closer.start();
        writer.gate.countDown();
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        closer.join(10_000);
        assertFalse(closer.isAlive());
        assertEquals(null, closeFailed.get());
        assertEquals(6, writer.batches.stream().mapToInt(List::size).sum(), "everything queued was committed");

        batcher.append(record("r", "after-close"));
        assertEquals(List.of("after-close"), writer.batches.get(writer.batches.size() - 1));
        assertSame(Thread.currentThread(), writer.threads.get(writer.threads.size() - 1));
    }

    @Test
    void onlyErrorEventsAndTokenEventsAreGrouped() {
        AuditRecordEntity r = record("r", "CLIENT_LOGIN");
        r.setKind("USER");
        r.setOutcome("success");
        assertTrue(GroupCommitRule.batched(r));
        r.setType("LOGIN");
        assertFalse(GroupCommitRule.batched(r), "a login may store a re-hashed password");
        r.setType("UPDATE_CREDENTIAL");
        assertFalse(GroupCommitRule.batched(r));
        r.setOutcome("error");
        assertTrue(GroupCommitRule.batched(r), "error events have a transaction of their own");
        r.setKind("ADMIN");
        r.setType("UPDATE:USER");
        r.setOutcome("success");
        assertFalse(GroupCommitRule.batched(r), "admin changes stay in their transaction");
        r.setKind("AUDIT");
        r.setType("AUDIT_PURGE");
        assertFalse(GroupCommitRule.batched(r));
    }
}
