package dev.runbooks.cli;

import dev.runbooks.activities.contract.GatedActivities;
import dev.runbooks.activities.contract.GatedWorkflow;
import dev.runbooks.activities.contract.GatedWorkflowImpl;
import dev.runbooks.activities.lock.TargetLockActivitiesImpl;
import dev.runbooks.worker.EmbeddedTemporal;
import dev.runbooks.worker.RunbookWorker;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.TargetLockWorkflowImpl;
import io.temporal.client.WorkflowClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The embedded Temporal with a worker for the contract's small gated runbook (lock, prepare,
 * approval, apply) from the activities test-jar: runs that wait for approval, take the target lock
 * and compensate, which the check runbook never does.
 */
final class GatedRuns implements AutoCloseable {
  static final String QUEUE = "cli-test";

  final EmbeddedTemporal temporal;
  final TemporalConnection connection;
  final RunbookWorker worker;
  final List<String> calls = new CopyOnWriteArrayList<>();

  GatedRuns() {
    this(null);
  }

  /** With {@code activities} doing the gated runbook's work (null: recorded in {@link #calls}). */
  GatedRuns(GatedActivities activities) {
    temporal = EmbeddedTemporal.start(0);
    connection = temporal.connect();
    WorkflowClient client = connection.client();
    worker =
        RunbookWorker.start(
            client,
            QUEUE,
            List.of(GatedWorkflowImpl.class, TargetLockWorkflowImpl.class),
            List.of(
                activities == null ? new Recording() : activities,
                new TargetLockActivitiesImpl(client, QUEUE)));
  }

  /** Starts a gated run the way the CLI starts runbooks and returns its workflow ID. */
  String start(String target, String initiator, boolean fourEyes, String workflowId) {
    return start(target, initiator, fourEyes, workflowId, Clock.systemUTC());
  }

  /** {@link #start(String, String, boolean, String)} with the starter's clock given. */
  String start(String target, String initiator, boolean fourEyes, String workflowId, Clock clock) {
    RunbookStarter starter = new RunbookStarter(connection.client(), QUEUE, clock);
    RunbookStarter.Plan plan =
        new RunbookStarter.Plan(
            RunbookKind.MIGRATE,
            target,
            workflowId,
            initiator,
            "migrate " + target,
            "lock, prepare, approval, apply");
    GatedWorkflow.Request request =
        new GatedWorkflow.Request(
            new RunbookRequest(target, initiator, fourEyes, Duration.ofMinutes(10)));
    return starter.start(GatedWorkflow.class, plan, wf -> WorkflowClient.start(wf::run, request));
  }

  /** The environment that points the CLI at this service and queue. */
  Cli cli() {
    return new Cli(Cli.isolatedEnv()).with("TEMPORAL_ADDRESS", temporal.address());
  }

  @Override
  public void close() {
    worker.close();
    connection.close();
    temporal.close();
  }

  private final class Recording implements GatedActivities {
    @Override
    public void prepareChange(String idempotencyKey) {
      calls.add("prepare " + idempotencyKey);
    }

    @Override
    public void undoPrepareChange(String idempotencyKey) {
      calls.add("undo " + idempotencyKey);
    }

    @Override
    public void applyChange(String idempotencyKey) {
      calls.add("apply " + idempotencyKey);
    }
  }
}
