package dev.runbooks.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.ActivityProgress;
import io.temporal.activity.ActivityInterface;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DataConverter;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A long activity's progress reaches Temporal, where {@code runbook status} and {@code watch} read
 * it, within seconds: not only once per 80% of its heartbeat timeout (48 s for a dump), which the
 * SDK throttles to by default, and which left a dump showing "0 B so far" for its whole run.
 */
class ProgressReachesTemporalTest {
  static final String QUEUE = "progress-test";

  /** The activity stops when the test has seen progress, or gives up well before 48 s. */
  static final CountDownLatch SEEN = new CountDownLatch(1);

  static final Duration GIVE_UP = Duration.ofSeconds(40);

  @WorkflowInterface
  public interface CopyWorkflow {
    @WorkflowMethod
    long copy();
  }

  @ActivityInterface
  public interface CopyActivities {
    long copyBytes();
  }

  public static class CopyWorkflowImpl implements CopyWorkflow {
    @Override
    public long copy() {
      return Workflow.newActivityStub(CopyActivities.class, ActivityProfiles.LONG_STREAMING)
          .copyBytes();
    }
  }

  /** Copies a kilobyte every 50 ms, as a dump's heartbeat counts bytes. */
  public static class CopyActivitiesImpl implements CopyActivities {
    @Override
    public long copyBytes() {
      try (Heartbeat heartbeat = Heartbeat.start("copy", 0, "bytes")) {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        while (!SEEN.await(50, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
          heartbeat.add(1024);
        }
        return heartbeat.done();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void aLongActivitysProgressReachesTemporalWhileItRuns() throws Exception {
    assertEquals(Duration.ofSeconds(60), ActivityProfiles.LONG_STREAMING.getHeartbeatTimeout());
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0);
        TemporalConnection connection = temporal.connect();
        RunbookWorker worker =
            RunbookWorker.start(
                connection.client(),
                QUEUE,
                List.of(CopyWorkflowImpl.class),
                List.of(new CopyActivitiesImpl()))) {
      WorkflowClient client = connection.client();
      CopyWorkflow run =
          client.newWorkflowStub(
              CopyWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId("progress-test")
                  .setTaskQueue(worker.taskQueue())
                  .build());
      WorkflowClient.start(run::copy);
      WorkflowStub stub = WorkflowStub.fromTyped(run);
      DataConverter converter = client.getOptions().getDataConverter();

      long seen = 0;
      long deadline = System.nanoTime() + GIVE_UP.toNanos();
      while (seen == 0 && System.nanoTime() < deadline) {
        for (PendingActivityInfo activity :
            stub.describe().getRawDescription().getPendingActivitiesList()) {
          if (activity.hasHeartbeatDetails()) {
            ActivityProgress progress =
                converter.fromPayloads(
                    0,
                    Optional.of(activity.getHeartbeatDetails()),
                    ActivityProgress.class,
                    ActivityProgress.class);
            seen = progress.done();
          }
        }
        Thread.sleep(100);
      }
      SEEN.countDown();
      long copied = stub.getResult(60, TimeUnit.SECONDS, Long.class);

      long heard = seen;
      assertTrue(heard > 0, "Temporal heard no progress while the activity ran");
      assertTrue(heard <= copied, () -> "heard " + heard + " of " + copied);
    }
  }
}
