package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.activities.migration.MigrationScripts;
import dev.runbooks.workflows.migration.MigrationPlanText;
import dev.runbooks.workflows.migration.MigrationRequest;
import dev.runbooks.workflows.migration.MigrationWorkflow;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A migration run prepared for {@code migrate} and the demo: the request, and the summary and plan
 * the Temporal UI shows (written by {@link MigrationPlanText}, beside the workflow's steps).
 */
final class MigrationRuns {
  private final RunbooksConfig config;
  private final String initiator;

  MigrationRuns(RunbooksConfig config, String initiator) {
    this.config = config;
    this.initiator = initiator;
  }

  /** Refuses a {@code --to} that cannot name a migration version before any run starts. */
  private static void checkVersion(String to) {
    if (to == null) {
      return;
    }
    try {
      MigrationScripts.normalise(to.startsWith("V") ? to.substring(1) : to);
    } catch (RuntimeException e) {
      throw new UsageException(
          "--to "
              + to
              + " is not a migration version: give the version of a V<version>__<name>.sql"
              + " script, such as 7 or 1.2, or leave --to out for the newest.");
    }
  }

  /**
   * The run's bounds as the options give them.
   *
   * @param acceptDrift null to refuse a drifted schema
   */
  record Bounds(
      Duration lockTimeout,
      Duration statementTimeout,
      int lockRetries,
      Duration lockBudget,
      String acceptDrift) {
    void check() {
      if (lockRetries < 0) {
        throw new UsageException(
            "--lock-retries "
                + lockRetries
                + " is negative: give 0 to fail a version at its first lock timeout, or more to"
                + " try it again.");
      }
      if (lockBudget.isNegative()) {
        throw new UsageException("--lock-budget must not be negative, such as 2m.");
      }
      if (acceptDrift != null && acceptDrift.isBlank()) {
        throw new UsageException(
            "--accept-drift needs a reason, such as --accept-drift \"index added by hand during"
                + " incident 42\": it is recorded in the run's history.");
      }
    }
  }

  RunbookStarter.Launch migrate(
      String target,
      String to,
      boolean autoApprove,
      Duration lockTimeout,
      Duration statementTimeout,
      String workflowId) {
    return migrate(
        target,
        to,
        autoApprove,
        new Bounds(
            lockTimeout,
            statementTimeout,
            MigrationRequest.DEFAULT_LOCK_RETRIES,
            MigrationRequest.DEFAULT_LOCK_BUDGET,
            null),
        workflowId);
  }

  /**
   * @param to null for the newest version
   * @throws UsageException for --auto-approve on a production target, or a target without
   *     migrations
   */
  RunbookStarter.Launch migrate(
      String target, String to, boolean autoApprove, Bounds bounds, String workflowId) {
    bounds.check();
    TargetConfig t = config.target(target);
    if (t.migrations() == null) {
      throw new UsageException(
          "target "
              + target
              + " has no migrations: directory in "
              + config.file()
              + ". Add `migrations: path/to/dir` under targets."
              + target
              + ".");
    }
    if (autoApprove && t.production()) {
      throw new UsageException(
          "--auto-approve is only for targets marked production: false, and "
              + target
              + " is a production target (production: true, the default). Start it without"
              + " --auto-approve and have it approved with: runbook approve ID");
    }
    checkVersion(to);
    checkIrreversible(t);
    MigrationRequest request =
        new MigrationRequest(
            new RunbookRequest(t.name(), initiator, t.fourEyes(), t.approvalTimeout()),
            to,
            autoApprove,
            bounds.lockTimeout(),
            bounds.statementTimeout(),
            bounds.lockRetries(),
            bounds.lockBudget(),
            bounds.acceptDrift());
    return new RunbookStarter.Launch(
        MigrationWorkflow.class,
        request,
        new RunbookStarter.Plan(
            RunbookKind.MIGRATE,
            t.name(),
            workflowId,
            initiator,
            MigrationPlanText.summary(request),
            MigrationPlanText.markdown(request, t.primary().toString(), onDisk(t))));
  }

  /** Refuses an irreversible list naming a version the directory does not have. */
  private static void checkIrreversible(TargetConfig t) {
    try {
      MigrationScripts.read(t.migrations(), t.irreversibleMigrations());
    } catch (IllegalArgumentException e) {
      throw new UsageException("target " + t.name() + ": " + e.getMessage() + ".");
    } catch (IOException e) {
      // Unreadable here: the worker reads the directory itself and says so.
    }
  }

  /** The target's migrations as this client reads them, for the plan. */
  private static MigrationPlanText.OnDisk onDisk(TargetConfig t) {
    String directory = t.migrations().toString();
    try {
      List<MigrationPlanText.Script> scripts = new ArrayList<>();
      for (MigrationScripts.Script s :
          MigrationScripts.read(t.migrations(), t.irreversibleMigrations()).all()) {
        scripts.add(
            new MigrationPlanText.Script(
                s.upName(),
                s.down() != null ? s.downName() : null,
                s.irreversible(),
                s.verify() != null ? s.verifyName() : null));
      }
      return MigrationPlanText.OnDisk.read(directory, scripts);
    } catch (IOException e) {
      return MigrationPlanText.OnDisk.unreadable(directory, e.toString());
    }
  }
}
