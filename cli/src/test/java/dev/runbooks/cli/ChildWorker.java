package dev.runbooks.cli;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.worker.Activities;
import dev.runbooks.worker.RunbookWorker;
import dev.runbooks.worker.TemporalConnection;
import java.nio.file.Path;
import java.util.List;

/**
 * An activity worker in its own JVM, for tests that kill the process running an activity: {@code
 * ADDRESS CONFIG}. It polls for activities only; the workflows run on a worker in the test's JVM.
 *
 * <p>Why not workflows too: a worker keeps the workflows it ran on its own sticky task queue, and
 * the in-memory Temporal service never moves a dead worker's sticky workflow task back to the
 * normal queue (a cluster does after the sticky schedule-to-start timeout, 5 s by default; the
 * in-memory service has neither that timeout nor ResetStickyTaskQueue), so the run would stall for
 * reasons of the test server. The SDK's WorkerFactory enables sticky queues whatever the cache
 * size.
 */
public final class ChildWorker {
  public static void main(String[] args) throws Exception {
    TemporalConnection temporal = TemporalConnection.connectPlain(args[0], "default");
    RunbooksConfig config = ConfigLoader.load(Path.of(args[1]), System.getenv());
    String queue = RunbookWorker.DEFAULT_TASK_QUEUE;
    RunbookWorker.start(
        temporal.client(),
        queue,
        List.of(),
        Activities.build(config, temporal.client(), queue).implementations());
    System.out.println("READY");
    System.out.flush();
    Thread.currentThread().join();
  }

  private ChildWorker() {}
}
