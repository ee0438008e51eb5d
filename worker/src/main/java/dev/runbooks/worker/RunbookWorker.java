package dev.runbooks.worker;

import dev.runbooks.activities.backup.DumpCompression;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.workflows.Runbooks;
import io.temporal.client.WorkflowClient;
import io.temporal.common.interceptors.WorkerInterceptor;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Temporal worker: every runbook's workflow implementation ({@link
 * Runbooks#WORKFLOW_IMPLEMENTATIONS}) and the activity objects {@link Activities} built, polling
 * one task queue. Closing it stops polling and waits for in-flight tasks.
 */
public final class RunbookWorker implements AutoCloseable {
  public static final String DEFAULT_TASK_QUEUE = Runbooks.DEFAULT_TASK_QUEUE;

  private static final Logger log = LoggerFactory.getLogger(RunbookWorker.class);

  private final WorkerFactory factory;
  private final String taskQueue;

  private RunbookWorker(WorkerFactory factory, String taskQueue) {
    this.factory = factory;
    this.taskQueue = taskQueue;
  }

  /**
   * Registers every runbook and the given activity objects, and starts polling. The backup cipher
   * warms up meanwhile in the background, so the first backup streams at full speed.
   */
  public static RunbookWorker start(
      WorkflowClient client, String taskQueue, Activities activities) {
    return start(client, taskQueue, activities, new WorkerInterceptor[0]);
  }

  /** As {@link #start(WorkflowClient, String, Activities)}, with more interceptors (metrics). */
  public static RunbookWorker start(
      WorkflowClient client,
      String taskQueue,
      Activities activities,
      WorkerInterceptor... interceptors) {
    RunbookWorker worker =
        start(
            client,
            taskQueue,
            Runbooks.WORKFLOW_IMPLEMENTATIONS,
            activities.implementations(),
            interceptors);
    warmUpCipher();
    return worker;
  }

  /**
   * Loads zstd ({@link DumpCompression#loadZstd()}, logging why not) and runs {@link
   * BackupCipher#warmUp()} on a daemon thread: it takes up to a second of CPU, which a worker's
   * start should not wait for, and a backup that starts meanwhile only runs slower.
   */
  static Thread warmUpCipher() {
    Thread thread =
        new Thread(
            () -> {
              DumpCompression.loadZstd().ifPresent(log::error);
              BackupCipher.warmUp();
            },
            "backup-cipher-warm-up");
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
    thread.start();
    return thread;
  }

  /**
   * Registers the given workflow implementations and activity objects, and starts polling; {@code
   * interceptors} (a worker's metrics) run after the step log.
   */
  public static RunbookWorker start(
      WorkflowClient client,
      String taskQueue,
      List<Class<?>> workflowImplementations,
      List<Object> activityImplementations,
      WorkerInterceptor... interceptors) {
    WorkerInterceptor[] all = new WorkerInterceptor[interceptors.length + 1];
    all[0] = new StepLog();
    System.arraycopy(interceptors, 0, all, 1, interceptors.length);
    WorkerFactory factory =
        WorkerFactory.newInstance(
            client, WorkerFactoryOptions.newBuilder().setWorkerInterceptors(all).build());
    // Heartbeat details reach Temporal as often as Heartbeat sends them, not once per 80% of the
    // heartbeat timeout (48 s for a dump), so status and watch show the bytes as they flow.
    Worker worker =
        factory.newWorker(
            taskQueue,
            WorkerOptions.newBuilder().setMaxHeartbeatThrottleInterval(Heartbeat.INTERVAL).build());
    worker.registerWorkflowImplementationTypes(workflowImplementations.toArray(new Class<?>[0]));
    worker.registerActivitiesImplementations(activityImplementations.toArray());
    factory.start();
    log.info(
        "Worker polling task queue {} in namespace {}: {} workflow types, {} activity objects",
        taskQueue,
        client.getOptions().getNamespace(),
        workflowImplementations.size(),
        activityImplementations.size());
    return new RunbookWorker(factory, taskQueue);
  }

  public String taskQueue() {
    return taskQueue;
  }

  /** Stops polling and waits up to 10 seconds for tasks in flight. */
  @Override
  public void close() {
    factory.shutdown();
    factory.awaitTermination(10, TimeUnit.SECONDS);
    if (!factory.isTerminated()) {
      factory.shutdownNow();
      factory.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
