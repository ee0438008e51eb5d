package dev.runbooks.workflows.migration;

import dev.runbooks.workflows.backup.BackupActivities;
import dev.runbooks.workflows.backup.BackupCatalog;
import dev.runbooks.workflows.backup.BackupListing;
import dev.runbooks.workflows.backup.BackupRequest;
import dev.runbooks.workflows.backup.BackupResult;
import dev.runbooks.workflows.backup.BackupWorkflow;
import dev.runbooks.workflows.backup.RestoreActivities;
import dev.runbooks.workflows.backup.RestoreInput;
import dev.runbooks.workflows.check.Preflight;
import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookIds;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import dev.runbooks.workflows.shared.TargetLockActivities;
import dev.runbooks.workflows.shared.Texts;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

public class MigrationWorkflowImpl extends RunbookWorkflowBase implements MigrationWorkflow {
  static final List<String> STEPS =
      List.of(Preflight.STEP, "validate", "rehearse", "approve", "backup", "apply", "verify");

  private final List<String> referencedBackups = new ArrayList<>();
  private MigrationVersions versions = MigrationVersions.before(List.of());

  public MigrationWorkflowImpl() {
    super(RunbookKind.MIGRATE);
  }

  @Override
  public MigrationVersions versions() {
    return versions;
  }

  @Override
  public List<String> referencedBackups() {
    return List.copyOf(referencedBackups);
  }

  @Override
  public MigrationResult run(MigrationRequest request) {
    runbook = new Runbook(RunbookKind.MIGRATE, request.runbook(), STEPS);
    return runbook.run(
        () -> {
          runbook.lockTarget(
              Workflow.newActivityStub(TargetLockActivities.class, ActivityProfiles.TARGET_LOCK));
          Preflight.run(runbook);
          MigrationPlan plan = validate(request);
          versions = MigrationVersions.before(plan.versions());
          if (plan.pending().isEmpty()) {
            for (String step : List.of("rehearse", "approve", "backup", "apply", "verify")) {
              runbook.skip(step, "nothing pending: at version " + plan.currentVersion());
            }
            return MigrationResult.nothingPending(plan);
          }
          if (request.autoApprove() && plan.production()) {
            throw FailureType.BAD_INPUT.failure(
                "--auto-approve is only for targets marked production: false, and "
                    + plan.target()
                    + " is a production target; nothing was changed. Start the migration"
                    + " without --auto-approve and have it approved with runbook approve ID");
          }
          RehearsalResult rehearsal = rehearse(request, plan);
          approve(request, plan, rehearsal);
          PreMigration pre = backup(request, rehearsal);
          List<VersionTiming> applied = apply(request, plan, pre);
          versions =
              new MigrationVersions(
                  applied.stream().map(VersionTiming::version).toList(),
                  List.of(),
                  plan.versions().stream()
                      .filter(v -> applied.stream().noneMatch(t -> t.version().equals(v)))
                      .toList(),
                  null);
          verify(plan, applied);
          runbook.settled("apply");
          return MigrationResult.applied(plan, applied, rehearsal, pre.backupId());
        });
  }

  private MigrationPlan validate(MigrationRequest request) {
    MigrationInput input =
        new MigrationInput(runbook.target(), request.to(), runbook.idempotencyKey("validate"));
    return runbook.step(
        "validate", () -> quick("validate migrations").validateMigrations(input), Plans::summary);
  }

  /**
   * A scratch copy from the newest verified backup (schema only when there is none), the rehearsal
   * in it, and the copy dropped whatever happens.
   */
  private RehearsalResult rehearse(MigrationRequest request, MigrationPlan plan) {
    String target = runbook.target();
    ScratchInput scratch =
        new ScratchInput(
            target,
            Plans.scratchDatabase(runbook.workflowId()),
            runbook.idempotencyKey("rehearse"));
    return runbook.step(
        "rehearse",
        () -> {
          String source;
          BackupListing newest = newestVerifiedBackup(target);
          String backupId = newest == null ? null : newest.backupId();
          List<String> notes = new ArrayList<>();
          MigrationActivities changing = changing("copy of " + target + " for the rehearsal");
          if (backupId != null) {
            referencedBackups.add(backupId);
            RestoreInput restore =
                new RestoreInput(
                    target, backupId, scratch.database(), false, scratch.idempotencyKey());
            RestoreActivities restores = restores("restore backup " + backupId + " to rehearse");
            runbook.onCleanup("rehearse", () -> restores.dropRestoredDatabase(restore));
            restores.restoreBackup(restore);
            source = "backup " + backupId + age(newest, notes);
          } else {
            runbook.onCleanup("rehearse", () -> quick("drop copy").dropScratchCopy(scratch));
            changing.copySchemaOnly(scratch);
            source = "schema only (no verified backup of " + target + " to restore)";
            notes.add(
                "no verified backup of "
                    + target
                    + " to rehearse on: the copy has its schema but none of its rows, so the"
                    + " timings are not representative");
          }
          runbook.detail("rehearse", "rehearsing in " + scratch.database() + " from " + source);
          RehearsalResult result;
          try {
            result =
                changing("rehearse " + String.join(", ", plan.versions()))
                    .rehearseMigrations(
                        new RehearsalInput(
                            scratch,
                            plan,
                            source,
                            request.lockTimeout(),
                            request.statementTimeout()));
          } finally {
            dropCopy(scratch, backupId);
          }
          result = result.withNotes(notes);
          if (plan.reversible() && !result.rollbackProven()) {
            throw FailureType.MIGRATION_FAILED.failure(
                "rehearsal on a copy of "
                    + target
                    + " ("
                    + source
                    + "): the down scripts do not undo the up scripts; the schema after them"
                    + " differs from the schema before: "
                    + String.join("; ", result.differences())
                    + ". Nothing was changed on "
                    + target
                    + ": fix the down scripts and start again");
          }
          return result;
        },
        Plans::rehearsalSummary);
  }

  /** Drops the copy now (a step of its own in the rehearsal): the run keeps no scratch database. */
  private void dropCopy(ScratchInput scratch, String backupId) {
    if (backupId != null) {
      restores("drop rehearsal copy")
          .dropRestoredDatabase(
              new RestoreInput(
                  scratch.target(), backupId, scratch.database(), false, scratch.idempotencyKey()));
    } else {
      quick("drop rehearsal copy").dropScratchCopy(scratch);
    }
    runbook.settled("rehearse");
  }

  /** A backup older than this is not recent: the approver is told its rows may be dated. */
  static final Duration RECENT_BACKUP = Duration.ofHours(24);

  /** {@code " (taken 3h 5m before this run)"}, and a note when that is not recent. */
  private static String age(BackupListing backup, List<String> notes) {
    Instant taken = backup.finishedAt() != null ? backup.finishedAt() : backup.startedAt();
    if (taken == null) {
      return "";
    }
    Duration age = Duration.between(taken, Instant.ofEpochMilli(Workflow.currentTimeMillis()));
    if (age.isNegative()) {
      age = Duration.ZERO;
    }
    if (age.compareTo(RECENT_BACKUP) > 0) {
      notes.add(
          "the newest verified backup, "
              + backup.backupId()
              + ", is "
              + Texts.duration(age)
              + " old (no recent verified backup): rows written since are not in the copy, so the"
              + " timings may be lower than the target's. Take a backup (runbook backup) and start"
              + " again for representative timings");
    }
    return " (taken " + Texts.duration(age) + " before this run)";
  }

  private BackupListing newestVerifiedBackup(String target) {
    BackupCatalog catalog =
        Workflow.newActivityStub(
                BackupActivities.class,
                ActivityProfiles.withSummary(ActivityProfiles.QUICK_SQL, "backups of " + target))
            .listBackups(target);
    for (BackupListing b : catalog.backups()) {
      if (b.complete() && Boolean.TRUE.equals(b.drillPassed())) {
        return b;
      }
    }
    return null;
  }

  private void approve(MigrationRequest request, MigrationPlan plan, RehearsalResult rehearsal) {
    if (request.autoApprove()) {
      runbook.skip("approve", "--auto-approve on non-production target " + plan.target());
      return;
    }
    runbook.awaitApproval("approve", Plans.approvalText(plan, rehearsal));
  }

  /** What the run captured before changing anything. */
  private record PreMigration(String backupId, SchemaSnapshot schema, DriftResult drift) {}

  /**
   * The pre-migration state: the backup runbook as a child, verified by its restore drill, and,
   * meanwhile, the schema snapshot a rollback is proven against. The backup runbook does not take
   * the target lock (BACKUP is not mutating), so it runs under this run's lock without asking for
   * it; a failure stops the run before anything changes.
   */
  private PreMigration backup(MigrationRequest request, RehearsalResult rehearsal) {
    BackupWorkflow child =
        Workflow.newChildWorkflowStub(
            BackupWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                // Named like any backup run (not after this run's ID, which a replay does not
                // know), with a suffix no scheduled backup has.
                .setWorkflowId(
                    RunbookIds.workflowId(
                            RunbookKind.BACKUP,
                            runbook.target(),
                            Instant.ofEpochMilli(Workflow.currentTimeMillis()))
                        + "-premigration")
                .setStaticSummary("pre-migration backup of " + runbook.target())
                .build());
    String target = runbook.target();
    MigrationInput snapshot =
        new MigrationInput(target, null, runbook.idempotencyKey("backup") + "/schema");
    return runbook.step(
        "backup",
        () -> {
          Promise<BackupResult> backup =
              Async.function(child::run, new BackupRequest(request.runbook(), true, null));
          SchemaSnapshot schema =
              quick("schema of " + target + " before the migration").snapshotSchema(snapshot);
          String id = backup.get().backup().backupId();
          referencedBackups.add(id);
          return new PreMigration(id, schema, drift(request, rehearsal, schema));
        },
        p ->
            "verified backup "
                + p.backupId()
                + "; schema snapshot "
                + p.schema().sha256().substring(0, 12)
                + (p.drift() == null ? "" : "; " + p.drift().summary()));
  }

  /** Runs started before drift was checked skip it (their histories have no such call). */
  private DriftResult drift(
      MigrationRequest request, RehearsalResult rehearsal, SchemaSnapshot before) {
    if (Workflow.getVersion("schema-drift", Workflow.DEFAULT_VERSION, 1)
        == Workflow.DEFAULT_VERSION) {
      return null;
    }
    String target = runbook.target();
    return quick("schema drift of " + target)
        .checkSchemaDrift(
            new DriftInput(
                target,
                before,
                DriftInput.rehearsalSchemaKey(runbook.idempotencyKey("rehearse")),
                rehearsal.schemaHash(),
                request.acceptDrift(),
                runbook.idempotencyKey("backup") + "/drift"));
  }

  private List<VersionTiming> apply(
      MigrationRequest request, MigrationPlan plan, PreMigration pre) {
    String target = runbook.target();
    String backupId = pre.backupId();
    SchemaSnapshot before = pre.schema();
    List<VersionTiming> applied = new ArrayList<>();
    return runbook.step(
        "apply",
        () -> {
          RollbackInput undo =
              new RollbackInput(
                  target,
                  plan.versions(),
                  before,
                  backupId,
                  request.lockTimeout(),
                  request.statementTimeout(),
                  runbook.idempotencyKey("rollback"));
          runbook.onRollbackSaying(
              "apply",
              () -> {
                RollbackResult r =
                    changing("roll back " + String.join(", ", plan.versions()))
                        .rollbackMigrations(undo);
                List<String> undone = r.undone().stream().map(VersionTiming::version).toList();
                List<String> appliedFirst = new ArrayList<>(undone);
                java.util.Collections.reverse(appliedFirst);
                versions =
                    new MigrationVersions(appliedFirst, undone, plan.versions(), r.schemaMatches());
                return Plans.undone(plan, r);
              });
          // One activity applies them all, one version at a time: a hop through the workflow
          // between versions would cost more than many a migration takes. Its heartbeats count
          // the versions done (runbook watch shows them).
          runbook.detail(
              "apply",
              "applying V" + String.join(", V", plan.versions()) + " one version at a time");
          applied.addAll(
              Workflow.newActivityStub(
                      MigrationActivities.class,
                      ActivityProfiles.withSummary(
                          MigrationProfiles.APPLYING,
                          "apply " + String.join(", ", plan.versions())))
                  .applyMigrations(
                      new ApplyInput(
                          target,
                          plan.versions(),
                          request.lockTimeout(),
                          request.statementTimeout(),
                          runbook.idempotencyKey("apply"),
                          request.lockRetries(),
                          request.lockBudget()))
                  .applied());
          return applied;
        },
        Plans::timings);
  }

  private void verify(MigrationPlan plan, List<VersionTiming> applied) {
    VerifyInput input =
        new VerifyInput(
            runbook.target(),
            applied.stream().map(VersionTiming::version).collect(Collectors.toList()),
            runbook.idempotencyKey("verify"));
    runbook.step(
        "verify",
        () -> quick("verify " + plan.target()).verifyMigrations(input),
        v -> String.join("; ", v.checks()));
  }

  private static MigrationActivities quick(String summary) {
    return Workflow.newActivityStub(
        MigrationActivities.class,
        ActivityProfiles.withSummary(ActivityProfiles.QUICK_SQL, summary));
  }

  private static MigrationActivities changing(String summary) {
    return Workflow.newActivityStub(
        MigrationActivities.class,
        ActivityProfiles.withSummary(MigrationProfiles.CHANGING_SCHEMA, summary));
  }

  private static RestoreActivities restores(String summary) {
    ActivityOptions options =
        ActivityProfiles.withSummary(ActivityProfiles.LONG_STREAMING, summary);
    return Workflow.newActivityStub(RestoreActivities.class, options);
  }
}
