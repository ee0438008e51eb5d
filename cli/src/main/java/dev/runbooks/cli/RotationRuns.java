package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.workflows.rotation.RotationPlan;
import dev.runbooks.workflows.rotation.RotationRequest;
import dev.runbooks.workflows.rotation.RotationSecrets;
import dev.runbooks.workflows.rotation.RotationStrategy;
import dev.runbooks.workflows.rotation.RotationWorkflow;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookRequest;
import java.time.Duration;

/**
 * Credential rotation, prepared the same way for the command, the demo and schedules: the request,
 * the workflow ID, and the summary and plan the Temporal UI shows (written by {@link RotationPlan},
 * beside the workflow's steps).
 */
final class RotationRuns {
  /** How long the previous login keeps working unless {@code --grace} says otherwise. */
  static final Duration DEFAULT_GRACE = Duration.ofMinutes(15);

  private final RunbooksConfig config;
  private final String initiator;

  RotationRuns(RunbooksConfig config, String initiator) {
    this.config = config;
    this.initiator = initiator;
  }

  /**
   * A rotation of {@code role} on {@code target}.
   *
   * @param grace null for {@link #DEFAULT_GRACE}
   * @param workflowId the user's ID, or null for the business key
   * @throws UsageException for a role name rotation cannot use
   */
  RunbookStarter.Launch rotate(
      String target, String role, RotationStrategy strategy, Duration grace, String workflowId) {
    TargetConfig t = config.target(target);
    if (!RotationSecrets.ROLE_NAME.matcher(role).matches()) {
      throw new UsageException(
          "--role "
              + role
              + " is not a role name rotation accepts: use lower-case letters, digits and '_',"
              + " starting with a letter or '_', at most 61 characters (so that "
              + role
              + "_a fits PostgreSQL's 63), such as orders_app.");
    }
    Duration g = grace == null ? DEFAULT_GRACE : grace;
    RotationRequest request =
        new RotationRequest(
            new RunbookRequest(t.name(), initiator, t.fourEyes(), t.approvalTimeout()),
            role,
            strategy,
            g);
    return new RunbookStarter.Launch(
        RotationWorkflow.class,
        request,
        new RunbookStarter.Plan(
            RunbookKind.ROTATE,
            t.name(),
            workflowId,
            initiator,
            RotationPlan.summary(request),
            RotationPlan.markdown(request, t.primary().toString())));
  }
}
