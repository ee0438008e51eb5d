package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.contract.GatedActivities;
import dev.runbooks.workflows.shared.FailureType;
import org.junit.jupiter.api.Test;

/**
 * Once a run has ended nothing of it is retried any more: the CLI never repeats an activity's "will
 * be retried" then. A permanent fault says nothing of retries; a transient one that ran out of
 * attempts says so.
 */
class RetryWordingTest {
  private static final String DISK_FULL =
      "writing dump.enc: No space left on device; the activity will be retried";

  @Test
  void aPermanentFaultIsReportedWithoutAPromiseOfRetries() throws Exception {
    try (GatedRuns runs = new GatedRuns(failing(FailureType.RUNBOOK_FAILED.failure(DISK_FULL)))) {
      String id = runs.start("shop", "alice", false, null);
      Cli.Result watched = runs.cli().run("watch", id, "--task-queue", GatedRuns.QUEUE);
      assertTrue(watched.out().contains("No space left on device"), watched.toString());
      assertFalse(watched.toString().contains("will be retried"), watched.toString());
    }
  }

  @Test
  void aTransientFaultThatRanOutOfAttemptsSaysSo() throws Exception {
    try (GatedRuns runs = new GatedRuns(failing(new IllegalStateException(DISK_FULL)))) {
      String id = runs.start("shop", "alice", false, null);
      Cli.Result watched = runs.cli().run("watch", id, "--task-queue", GatedRuns.QUEUE);
      assertTrue(watched.out().contains("No space left on device"), watched.toString());
      assertFalse(watched.toString().contains("will be retried"), watched.toString());
      assertTrue(watched.out().contains("retried until its attempts ran out"), watched.toString());
    }
  }

  /** Activities whose first change fails with {@code fault}; the undo does nothing. */
  private static GatedActivities failing(RuntimeException fault) {
    return new GatedActivities() {
      @Override
      public void prepareChange(String idempotencyKey) {
        throw fault;
      }

      @Override
      public void undoPrepareChange(String idempotencyKey) {}

      @Override
      public void applyChange(String idempotencyKey) {}
    };
  }
}
