package dev.runbooks.cli;

import dev.runbooks.workflows.backup.BackupCatalog;
import dev.runbooks.workflows.backup.BackupCatalogWorkflow;
import dev.runbooks.workflows.backup.BackupListing;
import dev.runbooks.workflows.backup.BackupRequest;
import dev.runbooks.workflows.backup.BackupResult;
import dev.runbooks.workflows.backup.BackupSummary;
import dev.runbooks.workflows.backup.BackupWorkflow;
import dev.runbooks.workflows.backup.DrillRequest;
import dev.runbooks.workflows.backup.DrillResult;
import dev.runbooks.workflows.backup.RestoreDrillWorkflow;
import dev.runbooks.workflows.backup.RestoreOutcome;
import dev.runbooks.workflows.backup.RestoreRequest;
import dev.runbooks.workflows.backup.RestoreWorkflow;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stand-ins for the backup runbooks' workflows, with canned results chosen by target name, so the
 * CLI's behaviour can be tested on the embedded Temporal without PostgreSQL or a repository. They
 * record the requests the CLI sent.
 *
 * <p>Targets: {@code broken} fails its dump; {@code baddrill} completes with a failed drill; {@code
 * stale} lists a verified backup three days old under a 26-hour limit; {@code never} lists no
 * verified backup under a limit; {@code nolimit} lists nothing and has no limit; any other lists a
 * fresh verified backup.
 */
public final class FakeBackupWorkflows {
  static final List<Object> requests = new CopyOnWriteArrayList<>();
  static final String BACKUP_ID = "20260124T020000Z-1a2b";

  private FakeBackupWorkflows() {}

  static List<Class<?>> implementations() {
    return List.of(Backup.class, Drill.class, Restore.class, Catalog.class);
  }

  public static class Backup extends RunbookWorkflowBase implements BackupWorkflow {
    public Backup() {
      super(RunbookKind.BACKUP);
    }

    @Override
    public BackupResult run(BackupRequest request) {
      requests.add(request);
      runbook =
          new Runbook(
              RunbookKind.BACKUP,
              request.runbook(),
              List.of("preflight", "dump", "verify", "retention"));
      String target = request.runbook().target();
      return runbook.run(
          () -> {
            runbook.step("preflight", () -> {}, "ok");
            Instant now = Instant.ofEpochMilli(Workflow.currentTimeMillis());
            BackupSummary summary =
                runbook.step(
                    "dump",
                    () -> {
                      if (target.equals("broken")) {
                        throw FailureType.NOT_FOUND.failure("pg_dump: no such database broken");
                      }
                      return new BackupSummary(
                          BACKUP_ID,
                          target,
                          "file:///backups/" + target + "/" + BACKUP_ID,
                          now.minusSeconds(42),
                          now,
                          2_097_152,
                          2_097_200,
                          "ab".repeat(32),
                          12,
                          5000,
                          null);
                    },
                    s -> s.backupId());
            DrillResult drill = null;
            if (request.verify()) {
              drill = runbook.step("verify", () -> drill(target, BACKUP_ID), d -> "done");
            } else {
              runbook.skip("verify", "--no-verify");
            }
            List<String> pruned =
                runbook.step("retention", () -> List.of("20260101T020000Z-0000"), p -> "pruned");
            return new BackupResult(summary, drill, pruned);
          });
    }
  }

  static DrillResult drill(String target, String backupId) {
    boolean passed = !target.equals("baddrill");
    return new DrillResult(
        backupId,
        passed,
        passed ? List.of() : List.of("public.orders: 5000 rows in the manifest, 4999 restored"),
        Duration.ofMillis(3200));
  }

  public static class Drill extends RunbookWorkflowBase implements RestoreDrillWorkflow {
    public Drill() {
      super(RunbookKind.RESTORE_DRILL);
    }

    @Override
    public DrillResult run(DrillRequest request) {
      requests.add(request);
      runbook =
          new Runbook(RunbookKind.RESTORE_DRILL, request.runbook(), List.of("resolve", "restore"));
      return runbook.run(
          () -> {
            String id =
                runbook.step(
                    "resolve",
                    () -> request.backupId() == null ? BACKUP_ID : request.backupId(),
                    s -> s);
            return runbook.step("restore", () -> drill(request.runbook().target(), id), d -> "ok");
          });
    }
  }

  public static class Restore extends RunbookWorkflowBase implements RestoreWorkflow {
    public Restore() {
      super(RunbookKind.RESTORE);
    }

    @Override
    public RestoreOutcome run(RestoreRequest request) {
      requests.add(request);
      runbook = new Runbook(RunbookKind.RESTORE, request.runbook(), List.of("restore"));
      return runbook.run(
          () ->
              runbook.step(
                  "restore",
                  () ->
                      new RestoreOutcome(
                          request.backupId(),
                          request.database(),
                          2_097_152,
                          Duration.ofMillis(2500)),
                  o -> o.database()));
    }
  }

  public static class Catalog implements BackupCatalogWorkflow {
    @Override
    public BackupCatalog list(String target) {
      requests.add(target);
      Instant now = Instant.ofEpochMilli(Workflow.currentTimeMillis());
      Duration limit = Duration.ofHours(26);
      switch (target) {
        case "nolimit":
          return new BackupCatalog(target, "file:///backups/" + target, List.of(), null);
        case "never":
          return new BackupCatalog(
              target,
              "file:///backups/" + target,
              List.of(listing("20260124T020000Z-0001", now.minusSeconds(3600), true, null)),
              limit);
        case "stale":
          return new BackupCatalog(
              target,
              "file:///backups/" + target,
              List.of(listing("20260121T020000Z-0002", now.minus(Duration.ofDays(3)), true, true)),
              limit);
        default:
          return new BackupCatalog(
              target,
              "file:///backups/" + target,
              List.of(
                  listing("20260124T030000Z-0003", now.minusSeconds(600), false, null),
                  listing("20260124T020000Z-0004", now.minusSeconds(3600), true, true),
                  listing("20260123T020000Z-0005", now.minus(Duration.ofHours(25)), true, false)),
              limit);
      }
    }

    private static BackupListing listing(
        String id, Instant finished, boolean complete, Boolean drillPassed) {
      return new BackupListing(
          id,
          finished.minusSeconds(42),
          complete ? finished : null,
          complete ? 2_097_200 : 1_048_576,
          complete,
          drillPassed,
          drillPassed == null ? null : finished.plusSeconds(60),
          drillPassed == null ? null : Duration.ofMillis(3200));
    }
  }
}
