package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.workflows.rotation.RotationRequest;
import dev.runbooks.workflows.rotation.RotationSecrets;
import dev.runbooks.workflows.rotation.RotationStrategy;
import dev.runbooks.workflows.rotation.RotationWorkflow;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookRequest;
import java.time.Duration;

/**
 * Credential rotation, prepared the same way for the command, the demo and schedules: the request,
 * the workflow ID, and the summary and plan the Temporal UI shows.
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
    String path = RotationSecrets.path(t.name(), role);
    StringBuilder md = new StringBuilder();
    md.append("**Credential rotation** of role `")
        .append(role)
        .append("` on `")
        .append(t.name())
        .append("` (")
        .append(t.primary())
        .append("), ")
        .append(strategy.label())
        .append(" strategy, started by ")
        .append(initiator)
        .append(". Clients read `")
        .append(path)
        .append("` (keys username, password).\n\n")
        .append("0. takes the target's lock: no other migrate, rotate or failover meanwhile\n")
        .append(
            "1. preflight: the check runbook's connectivity and privilege checks; a critical"
                + " finding stops the run before anything changes\n");
    if (strategy == RotationStrategy.ALTERNATING) {
      String a = RotationSecrets.loginA(role);
      String b = RotationSecrets.loginB(role);
      md.append("2. prepare: `")
          .append(role)
          .append("` must exist; creates the logins `")
          .append(a)
          .append("` and `")
          .append(b)
          .append("` (members of it) if missing; picks the one the store does not name\n")
          .append(
              "3. renew: a new random password for that login, set as a SCRAM-SHA-256 verifier,"
                  + " tested with a real login reading what only `")
          .append(role)
          .append("` may read, then written to the store as the new version (check-and-set)\n")
          .append("4. grace: ")
          .append(Text.duration(g))
          .append(" for clients to re-read the secret; the previous login keeps working\n")
          .append("5. expire: the previous login gets VALID UNTIL now; its sessions are ended\n\n");
    } else {
      md.append("2. prepare: `")
          .append(role)
          .append("` must exist and be able to log in\n")
          .append(
              "3. renew: a new random password for it, set as a SCRAM-SHA-256 verifier, tested"
                  + " with a real login, then written to the store (check-and-set)\n\n")
          .append("**Warning:** from step 3 on, new logins with the old password FAIL until")
          .append(" clients re-read the secret. For roles without long-lived clients only.\n\n");
    }
    md.append(
        "A failure before the new version is written puts the login back: the current"
            + " credential is untouched and works. A failure after it names both versions.\n");
    return new RunbookStarter.Launch(
        RotationWorkflow.class,
        new RotationRequest(
            new RunbookRequest(t.name(), initiator, t.fourEyes(), t.approvalTimeout()),
            role,
            strategy,
            g),
        new RunbookStarter.Plan(
            RunbookKind.ROTATE,
            t.name(),
            workflowId,
            initiator,
            "rotate " + role + " on " + t.name() + " (" + strategy.label() + ") -> " + path,
            md.toString()));
  }
}
