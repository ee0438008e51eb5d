package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.worker.Activities;
import dev.runbooks.workflows.backup.BackupCatalog;
import dev.runbooks.workflows.backup.BackupCatalogWorkflow;
import dev.runbooks.workflows.backup.BackupPlan;
import dev.runbooks.workflows.backup.BackupRequest;
import dev.runbooks.workflows.backup.BackupWorkflow;
import dev.runbooks.workflows.backup.DrillRequest;
import dev.runbooks.workflows.backup.RestoreDrillWorkflow;
import dev.runbooks.workflows.backup.RestoreRequest;
import dev.runbooks.workflows.backup.RestoreWorkflow;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookRequest;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.TimeoutFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The backup family of runbooks, prepared the same way for the commands, the demo and schedules:
 * the request record, the workflow ID, and the summary and plan the Temporal UI shows (written by
 * {@link BackupPlan}, beside the workflows' steps).
 */
final class BackupRuns {
  /** How long {@code backups} waits for a worker to read the listing. */
  static final Duration CATALOG_TIMEOUT = Duration.ofMinutes(2);

  /** {@code 20261124T020000Z-1a2b}: what a backup ID may be (the activities check the same). */
  private static final Pattern BACKUP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");

  /** Names {@code restore --into} accepts: PostgreSQL identifiers that need no quoting. */
  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  private final RunbooksConfig config;
  private final String initiator;

  BackupRuns(RunbooksConfig config, String initiator) {
    this.config = config;
    this.initiator = initiator;
  }

  /**
   * A backup of {@code target}, verified by a restore drill unless {@code verify} is false.
   *
   * @param workflowId the user's ID, or null for the business key
   */
  RunbookStarter.Launch backup(String target, boolean verify, String workflowId) {
    TargetConfig t = config.target(target);
    String repository = repository();
    BackupRequest request = new BackupRequest(runbookRequest(t), verify, null);
    return new RunbookStarter.Launch(
        BackupWorkflow.class,
        request,
        new RunbookStarter.Plan(
            RunbookKind.BACKUP,
            t.name(),
            workflowId,
            initiator,
            BackupPlan.backupSummary(request, repository),
            BackupPlan.backup(request, t.primary().toString(), repository, encryption())));
  }

  /**
   * A restore drill of one of {@code target}'s backups.
   *
   * @param backupId null for the newest complete backup
   */
  RunbookStarter.Launch drill(String target, String backupId, String workflowId) {
    TargetConfig t = config.target(target);
    String repository = repository();
    DrillRequest request = new DrillRequest(runbookRequest(t), backupId);
    return new RunbookStarter.Launch(
        RestoreDrillWorkflow.class,
        request,
        new RunbookStarter.Plan(
            RunbookKind.RESTORE_DRILL,
            t.name(),
            workflowId,
            initiator,
            BackupPlan.drillSummary(request, repository),
            BackupPlan.drill(request, repository, t.primary().address())));
  }

  /**
   * An incident restore of a backup into a new database {@code database} on the target's server.
   *
   * @throws UsageException when {@code database} is not a plain PostgreSQL identifier
   */
  RunbookStarter.Launch restore(
      String target, String backupId, String database, String workflowId) {
    TargetConfig t = config.target(target);
    checkDatabaseName(database, t);
    String repository = repository();
    RestoreRequest request = new RestoreRequest(runbookRequest(t), backupId, database);
    return new RunbookStarter.Launch(
        RestoreWorkflow.class,
        request,
        new RunbookStarter.Plan(
            RunbookKind.RESTORE,
            t.name(),
            workflowId,
            initiator,
            BackupPlan.restoreSummary(request, t.primary().toString()),
            BackupPlan.restore(
                request, repository, t.primary().address(), t.primary().database())));
  }

  /**
   * Reads {@code target}'s backup listing on a worker (where the repository's credentials are) and
   * waits for it.
   *
   * @throws UsageException when no worker answers within {@link #CATALOG_TIMEOUT}
   */
  static BackupCatalog catalog(
      WorkflowClient client, String taskQueue, String target, Clock clock) {
    return catalog(client, taskQueue, target, catalogId(target, clock));
  }

  /** {@code backups-<target>-<UTC yyyyMMdd'T'HHmmss>}: the ID of a listing's run. */
  static String catalogId(String target, Clock clock) {
    return "backups-" + target + "-" + STAMP.format(clock.instant());
  }

  /** As {@link #catalog(WorkflowClient, String, String, Clock)}, under the given workflow ID. */
  static BackupCatalog catalog(
      WorkflowClient client, String taskQueue, String target, String workflowId) {
    return catalog(client, taskQueue, target, workflowId, CATALOG_TIMEOUT);
  }

  /** As above, waiting at most {@code wait} for a worker's answer. */
  static BackupCatalog catalog(
      WorkflowClient client, String taskQueue, String target, String workflowId, Duration wait) {
    WorkflowOptions options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(workflowId)
            .setTaskQueue(taskQueue)
            // A little longer than the CLI waits, so the CLI can still ask the run why it hangs.
            .setWorkflowExecutionTimeout(wait.plusSeconds(30))
            .setStaticSummary("backups of " + target)
            .build();
    BackupCatalogWorkflow workflow = client.newWorkflowStub(BackupCatalogWorkflow.class, options);
    try {
      WorkflowClient.start(workflow::list, target);
    } catch (WorkflowExecutionAlreadyStarted e) {
      // Another 'backups' of this target in the same second: its answer is this one's too.
    }
    WorkflowStub stub = client.newUntypedWorkflowStub(workflowId);
    try {
      return stub.getResult(wait.toMillis(), TimeUnit.MILLISECONDS, BackupCatalog.class);
    } catch (TimeoutException e) {
      throw stuck(stub, taskQueue, workflowId, wait);
    } catch (WorkflowFailedException e) {
      if (e.getCause() instanceof TimeoutFailure) {
        throw stuck(stub, taskQueue, workflowId, wait);
      }
      throw new UsageException(
          "the backup listing of "
              + target
              + " failed: "
              + RunState.rootMessage(e)
              + ". See 'runbook status "
              + workflowId
              + "' and the worker's log.");
    }
  }

  /**
   * Why a listing did not finish in time: a worker that keeps failing to read the repository (its
   * last failure says why), or no worker at all.
   */
  private static UsageException stuck(
      WorkflowStub stub, String taskQueue, String workflowId, Duration wait) {
    String waited = Text.duration(wait);
    try {
      for (PendingActivityInfo activity :
          stub.describe().getRawDescription().getPendingActivitiesList()) {
        if (activity.hasLastFailure()) {
          return new UsageException(
              "the worker could not read the backup repository within "
                  + waited
                  + " ("
                  + activity.getAttempt()
                  + " attempts; the last said: "
                  + activity.getLastFailure().getMessage()
                  + "). Check the repository and the worker's credentials for it; 'runbook status "
                  + workflowId
                  + "' shows the run.");
        }
      }
    } catch (RuntimeException e) {
      // The run is gone or Temporal does not answer: say what is most likely.
    }
    return new UsageException(
        "no worker read the backup listing within "
            + waited
            + " ("
            + workflowId
            + "): start one on task queue "
            + taskQueue
            + " ('runbook worker' or 'runbook dev'), or use --embedded.");
  }

  /**
   * Refuses a {@code --backup} that cannot be a backup ID before any run starts: the run would only
   * refuse it later, after the target's lock or a worker was involved.
   */
  static void checkBackupId(String backupId, String target) {
    if (!BACKUP_ID.matcher(backupId).matches()) {
      throw new UsageException(
          "--backup \""
              + backupId
              + "\" is not a backup ID: expected a backup id such as 20261124T020000Z-1a2b"
              + " (letters, digits and '-', at most 64). Copy one from 'runbook backups --target "
              + target
              + "'.");
    }
  }

  /**
   * Refuses names that would need quoting, could be truncated, or name the target's own database.
   */
  static void checkDatabaseName(String database, TargetConfig target) {
    if (!DATABASE_NAME.matcher(database).matches()) {
      throw new UsageException(
          "--into \""
              + database
              + "\" is not a database name runbook restores into: use 1-63 lower-case letters,"
              + " digits and underscores, starting with a letter or underscore, such as "
              + target.primary().database().replaceAll("[^a-z0-9_]", "_")
              + "_restored.");
    }
    if (database.equals("postgres") || database.startsWith("template")) {
      throw new UsageException(
          "--into "
              + database
              + " is a database PostgreSQL itself relies on: a restore never writes into it."
              + " Restore into a new database, such as "
              + target.primary().database().replaceAll("[^a-z0-9_]", "_")
              + "_restored.");
    }
    if (database.equals(target.primary().database())) {
      throw new UsageException(
          "--into "
              + database
              + " is the target's own database: a restore never overwrites it. Restore into a"
              + " new database, such as "
              + database
              + "_restored, check it, then point clients at it.");
    }
  }

  private RunbookRequest runbookRequest(TargetConfig t) {
    return new RunbookRequest(t.name(), initiator, t.fourEyes(), t.approvalTimeout());
  }

  private String repository() {
    if (config.repository() == null) {
      throw new UsageException(
          "no backup repository is configured in "
              + config.file()
              + ": add repository: file:///var/lib/runbooks/backups (or s3://BUCKET/PREFIX),"
              + " then start again.");
    }
    return config.repository().uri();
  }

  private String encryption() {
    return Activities.encryption(config).uri();
  }
}
