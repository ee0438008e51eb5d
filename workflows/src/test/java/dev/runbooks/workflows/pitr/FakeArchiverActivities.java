package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.shared.FailureType;
import io.temporal.activity.Activity;
import io.temporal.client.ActivityCompletionException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Archiving sessions as scripted: the first finds a gap, the second fails for good (a conflicting
 * segment), the third streams until it is cancelled. Unscripted: sessions return at once until the
 * archiver has continued as new, then one streams until cancelled.
 */
final class FakeArchiverActivities implements WalArchiverActivities {
  final AtomicInteger calls = new AtomicInteger();
  final CountDownLatch streaming = new CountDownLatch(1);
  volatile boolean scripted = true;

  @Override
  public ArchiveSession archiveWal(ArchiveInput input) {
    int call = calls.incrementAndGet();
    if (scripted && call == 1) {
      return session(input, List.of("gap on timeline 1: WAL from 0/5000000 to 0/9000000 removed"));
    }
    if (scripted && call == 2) {
      throw FailureType.CONFLICT.failure("the WAL archive already holds 000000010000000000000009");
    }
    if ((scripted && call == 3)
        || (!scripted && call > WalArchiverWorkflowImpl.SESSIONS_PER_RUN + 2)) {
      streaming.countDown();
      while (true) {
        try {
          Activity.getExecutionContext().heartbeat(null);
          Thread.sleep(100);
        } catch (ActivityCompletionException e) {
          throw e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
    return session(input, List.of());
  }

  private static ArchiveSession session(ArchiveInput input, List<String> gaps) {
    return new ArchiveSession(
        input.target(),
        "primary",
        1,
        "0/A000000",
        3,
        Instant.parse("2026-12-03T10:00:00Z"),
        gaps,
        List.of());
  }

  @Override
  public WalArchiveState describeWalArchive(String target) {
    return new WalArchiveState(
        target,
        "file:///backups/orders/wal/",
        true,
        1,
        "0/1000000",
        "0/A000000",
        null,
        "0/A000000",
        0,
        java.time.Duration.ZERO,
        List.of(),
        "runbooks_archive_orders: retains 16 MB",
        List.of());
  }
}
