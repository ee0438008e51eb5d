package dev.runbooks.workflows.failover;

import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A planned switchover (fence, catch up, promote, verify, repoint, publish) or, with {@code force},
 * an unplanned failover of a primary that is down. Always ends with a written outcome.
 */
@WorkflowInterface
public interface FailoverWorkflow extends RunbookWorkflow {
  @WorkflowMethod
  FailoverResult run(FailoverRequest request);
}
