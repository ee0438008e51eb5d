package dev.runbooks.cli;

import dev.runbooks.workflows.shared.LockHolder;
import dev.runbooks.workflows.shared.RunbookIds;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import dev.runbooks.workflows.shared.TargetLockWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.common.metadata.POJOWorkflowInterfaceMetadata;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;

/**
 * Starts runbooks the same way every time: a business-key workflow ID, the search attributes and
 * the Temporal UI summary, and, for mutating runbooks, an early refusal when another run holds the
 * target. (The workflow takes the lock itself; this check only makes the refusal immediate and
 * names the holder.)
 */
final class RunbookStarter {
  /**
   * What to start.
   *
   * @param workflowId the user's ID, or null for {@code <kind>-<target>-<UTC time>}
   * @param summary one line for the Temporal UI ("check orders @ db1:5432/orders")
   * @param details Markdown for the Temporal UI: the plan
   */
  record Plan(
      RunbookKind kind,
      String target,
      String workflowId,
      String initiator,
      String summary,
      String details) {
    Plan {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(initiator, "initiator");
      Objects.requireNonNull(summary, "summary");
      Objects.requireNonNull(details, "details");
    }
  }

  /**
   * A run ready to start: its workflow interface, its one request record, and how it shows in
   * Temporal. Commands start it now; schedules start it later with the same options.
   */
  record Launch(Class<?> workflow, Object request, Plan plan) {
    Launch {
      Objects.requireNonNull(workflow, "workflow");
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(plan, "plan");
    }

    /** The workflow type name workers register the interface under. */
    String workflowType() {
      return POJOWorkflowInterfaceMetadata.newInstance(workflow, true).getWorkflowType().get();
    }
  }

  private final WorkflowClient client;
  private final String taskQueue;
  private final Clock clock;

  /** How many runs of one kind and target a second may hold before a start gives up. */
  static final int MAX_ID_SUFFIX = 20;

  RunbookStarter(WorkflowClient client, String taskQueue, Clock clock) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.clock = clock;
  }

  /** {@code <kind>-<target>-<UTC yyyyMMdd'T'HHmmss>}, the business key DESIGN.md prescribes. */
  String workflowId(RunbookKind kind, String target) {
    return RunbookIds.workflowId(kind, target, clock.instant());
  }

  /**
   * Starts a run: {@code start} receives the typed stub and calls {@code WorkflowClient.start} on
   * it with the request.
   *
   * @return the started run's workflow ID
   * @throws TargetLockedException when a mutating runbook's target is held by another run
   * @throws UsageException when a run with the workflow ID is already running
   */
  <W> String start(Class<W> workflowInterface, Plan plan, Function<W, WorkflowExecution> start) {
    return startUnique(
        plan,
        workflowId ->
            start
                .apply(client.newWorkflowStub(workflowInterface, startOptions(plan, workflowId)))
                .getWorkflowId());
  }

  /**
   * Starts a prepared run.
   *
   * @return the started run's workflow ID
   * @throws TargetLockedException when a mutating runbook's target is held by another run
   * @throws UsageException when a run with the workflow ID is already running
   */
  String start(Launch launch) {
    Plan plan = launch.plan();
    return startUnique(
        plan,
        workflowId -> {
          WorkflowStub stub =
              client.newUntypedWorkflowStub(launch.workflowType(), startOptions(plan, workflowId));
          return stub.start(launch.request()).getWorkflowId();
        });
  }

  /**
   * Starts under a workflow ID no run has had: a run's steps key their idempotency on it, so a
   * second run under the ID of a finished one would take that run's work for its own (a second
   * {@code restore --into} in the same second would have replaced the first one's database). A
   * generated ID that is taken, by a run started in the same second, gets a suffix {@code -2},
   * {@code -3}...; an ID given with {@code --id} that is taken is refused.
   */
  private String startUnique(Plan plan, Function<String, String> startWithId) {
    String base =
        plan.workflowId() == null ? workflowId(plan.kind(), plan.target()) : plan.workflowId();
    for (int attempt = 1; ; attempt++) {
      String workflowId = attempt == 1 ? base : base + "-" + attempt;
      if (plan.kind().mutating()) {
        refuseWhenHeld(plan.kind(), plan.target(), workflowId, workflowId);
      }
      try {
        return startWithId.apply(workflowId);
      } catch (WorkflowExecutionAlreadyStarted e) {
        if (plan.workflowId() != null || attempt >= MAX_ID_SUFFIX) {
          throw taken(workflowId);
        }
      }
    }
  }

  /**
   * The options every runbook run starts with: its ID, queue, search attributes, and the summary
   * and plan the Temporal UI shows. Schedules start their runs with these too.
   */
  static WorkflowOptions.Builder options(Plan plan, String workflowId, String taskQueue) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId)
        .setTaskQueue(taskQueue)
        .setTypedSearchAttributes(
            SearchAttributes.newBuilder()
                .set(RunbookSearchAttributes.KIND, plan.kind().label())
                .set(RunbookSearchAttributes.TARGET, plan.target())
                .set(RunbookSearchAttributes.INITIATOR, plan.initiator())
                .build())
        .setStaticSummary(plan.summary())
        .setStaticDetails(plan.details());
  }

  /** A started run's options: {@link #options}, and no reuse of any earlier run's ID. */
  private WorkflowOptions startOptions(Plan plan, String workflowId) {
    return options(plan, workflowId, taskQueue)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
        .build();
  }

  private static UsageException taken(String workflowId) {
    return new UsageException(
        "a run with ID "
            + workflowId
            + " exists already (running or finished: 'runbook status "
            + workflowId
            + "' shows it). Give a new ID with --id, or leave --id out for a generated one.");
  }

  /**
   * Refuses {@code plan} when any run on this client's Temporal holds its target: an embedded run
   * asks the configured cluster this way before it starts on its own service, so the holder is
   * never the run itself, whatever its ID.
   *
   * @throws TargetLockedException when a run holds the target
   */
  void refuseWhenAnyHolds(Plan plan) {
    String requested =
        plan.workflowId() == null ? "--embedded" : plan.workflowId() + " (--embedded)";
    refuseWhenHeld(plan.kind(), plan.target(), requested, null);
  }

  /** {@code self}: the run's own workflow ID, which may hold the lock already; null for none. */
  private void refuseWhenHeld(RunbookKind kind, String target, String requested, String self) {
    String lockId = TargetLockWorkflow.workflowId(target);
    try {
      WorkflowExecutionStatus status = client.newUntypedWorkflowStub(lockId).describe().getStatus();
      if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        return;
      }
    } catch (WorkflowNotFoundException e) {
      return;
    }
    LockHolder holder = client.newWorkflowStub(TargetLockWorkflow.class, lockId).holder();
    if (holder != null && !holder.holderWorkflowId().equals(self)) {
      throw new TargetLockedException(kind.label() + " " + requested, holder);
    }
  }
}
