package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.backup.BackupRequest;
import dev.runbooks.workflows.backup.DrillRequest;
import dev.runbooks.workflows.pitr.PhysicalBackupRequest;
import dev.runbooks.workflows.pitr.PitrDrillRequest;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleListActionStartWorkflow;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.client.schedules.ScheduleListInfo;
import io.temporal.client.schedules.ScheduleListSchedule;
import io.temporal.client.schedules.ScheduleListState;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The schedule a {@code schedule create} builds, checked without a Temporal server. */
class RunbookScheduleTest {
  @TempDir static Path dir;

  private static RunbooksConfig config;

  @BeforeAll
  static void config() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  orders:\n"
                + "    primary: { host: db1, port: 5432, database: orders }\n"
                + "    admin: { secret: db/orders/admin }\n"
                + "    fourEyes: true\n"
                + "repository: s3://backups/prod\n");
    config = ConfigLoader.load(file, Map.of());
  }

  private static RunbookSchedule nightlyBackup() {
    return new RunbookSchedule(
        "nightly-orders",
        RunbookKind.BACKUP,
        "orders",
        RunbookSchedule.checkCron("0 2 * * *"),
        Duration.ofMinutes(5),
        Duration.ofHours(1),
        "alice",
        new BackupRuns(config, RunbookSchedule.initiator("nightly-orders"))
            .backup("orders", true, null),
        "logical");
  }

  @Test
  void theScheduleRunsTheBackupOnTheCronWithJitterCatchUpAndOverlapSkip() {
    Schedule schedule = nightlyBackup().schedule("runbooks-prod");

    ScheduleSpec spec = schedule.getSpec();
    assertEquals(List.of("0 2 * * *"), spec.getCronExpressions());
    assertEquals(Duration.ofMinutes(5), spec.getJitter());
    assertEquals(
        ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP, schedule.getPolicy().getOverlap());
    assertEquals(Duration.ofHours(1), schedule.getPolicy().getCatchupWindow());
    assertFalse(schedule.getState().isPaused());
    assertEquals("created by alice", schedule.getState().getNote());

    ScheduleActionStartWorkflow action = (ScheduleActionStartWorkflow) schedule.getAction();
    assertEquals("BackupWorkflow", action.getWorkflowType());
    WorkflowOptions options = action.getOptions();
    assertEquals("backup-orders", options.getWorkflowId());
    assertEquals("runbooks-prod", options.getTaskQueue());
    assertEquals("backup orders -> s3://backups/prod", options.getStaticSummary());
    assertTrue(options.getStaticDetails().contains("**Backup** of `orders`"));
    assertEquals("backup", options.getTypedSearchAttributes().get(RunbookSearchAttributes.KIND));
    assertEquals("orders", options.getTypedSearchAttributes().get(RunbookSearchAttributes.TARGET));
    assertEquals(
        "schedule:nightly-orders",
        options.getTypedSearchAttributes().get(RunbookSearchAttributes.INITIATOR));

    BackupRequest request = action.getArguments().get(0, BackupRequest.class);
    assertTrue(request.verify());
    assertNull(request.retention());
    assertEquals("orders", request.runbook().target());
    assertEquals("schedule:nightly-orders", request.runbook().initiator());
    assertTrue(request.runbook().fourEyes());
  }

  @Test
  void aDrillScheduleDrillsTheNewestBackup() {
    RunbookSchedule drill =
        new RunbookSchedule(
            "weekly-drill",
            RunbookKind.RESTORE_DRILL,
            "orders",
            "0 6 * * 1",
            Duration.ZERO,
            RunbookSchedule.DEFAULT_CATCHUP_WINDOW,
            "bob",
            new BackupRuns(config, RunbookSchedule.initiator("weekly-drill"))
                .drill("orders", null, null),
            "logical");
    Schedule schedule = drill.schedule("runbooks");
    ScheduleActionStartWorkflow action = (ScheduleActionStartWorkflow) schedule.getAction();
    assertEquals("RestoreDrillWorkflow", action.getWorkflowType());
    assertEquals("restore-drill-orders", action.getOptions().getWorkflowId());
    assertNull(action.getArguments().get(0, DrillRequest.class).backupId());
    assertEquals(Duration.ZERO, schedule.getSpec().getJitter());
    assertEquals(Duration.ofHours(1), schedule.getPolicy().getCatchupWindow());
  }

  /** The schedule {@code schedule create ARGS} builds, as the command parses them. */
  private static RunbookSchedule created(String... args) {
    ScheduleCreateCommand command = new ScheduleCreateCommand();
    new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
    return command.schedule(config, "alice");
  }

  @Test
  void aPhysicalDrillScheduleStartsThePitrDrillWithATypedMemo() {
    RunbookSchedule drill =
        created(
            "nightly-pitr",
            "--runbook",
            "restore-drill",
            "--type",
            "physical",
            "--target",
            "orders",
            "--cron",
            "30 3 * * *",
            "--jitter",
            "PT2M");
    Schedule schedule = drill.schedule("runbooks-prod");
    assertEquals(List.of("30 3 * * *"), schedule.getSpec().getCronExpressions());
    assertEquals(Duration.ofMinutes(2), schedule.getSpec().getJitter());
    assertEquals(
        ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP, schedule.getPolicy().getOverlap());
    ScheduleActionStartWorkflow action = (ScheduleActionStartWorkflow) schedule.getAction();
    assertEquals("PitrDrillWorkflow", action.getWorkflowType());
    WorkflowOptions options = action.getOptions();
    assertEquals("restore-drill-orders", options.getWorkflowId());
    assertEquals("runbooks-prod", options.getTaskQueue());
    assertEquals("PITR drill of orders", options.getStaticSummary());
    assertEquals(
        "restore-drill", options.getTypedSearchAttributes().get(RunbookSearchAttributes.KIND));
    assertEquals(
        "schedule:nightly-pitr",
        options.getTypedSearchAttributes().get(RunbookSearchAttributes.INITIATOR));
    PitrDrillRequest request = action.getArguments().get(0, PitrDrillRequest.class);
    assertEquals("orders", request.runbook().target());
    assertEquals("schedule:nightly-pitr", request.runbook().initiator());
    assertTrue(request.runbook().fourEyes());
    assertEquals("physical", drill.options().getMemo().get("type"));

    WorkflowOptions cron = drill.cronWorkflowOptions("runbooks");
    assertEquals("schedule-nightly-pitr", cron.getWorkflowId());
    assertEquals("30 3 * * *", cron.getCronSchedule());
    assertEquals("physical", cron.getMemo().get("type"));
    assertEquals("restore-drill", cron.getMemo().get("runbook"));
  }

  @Test
  void aPhysicalBackupScheduleTakesABaseBackupAndLogicalStaysTheDefault() {
    RunbookSchedule physical =
        created(
            "nightly-base",
            "--runbook",
            "backup",
            "--type",
            "physical",
            "--target",
            "orders",
            "--cron",
            "0 1 * * *");
    ScheduleActionStartWorkflow action =
        (ScheduleActionStartWorkflow) physical.schedule("runbooks").getAction();
    assertEquals("PhysicalBackupWorkflow", action.getWorkflowType());
    assertEquals("backup-orders", action.getOptions().getWorkflowId());
    assertEquals(
        "schedule:nightly-base",
        action.getArguments().get(0, PhysicalBackupRequest.class).runbook().initiator());
    assertEquals("physical", physical.type());

    RunbookSchedule logical =
        created("nightly", "--runbook", "backup", "--target", "orders", "--cron", "0 1 * * *");
    assertEquals(
        "BackupWorkflow",
        ((ScheduleActionStartWorkflow) logical.schedule("runbooks").getAction()).getWorkflowType());
    assertEquals("logical", logical.type());
    assertNull(logical.options().getMemo().get("type"));

    UsageException rotation =
        assertThrows(
            UsageException.class,
            () ->
                created(
                    "x",
                    "--runbook",
                    "rotate",
                    "--role",
                    "app",
                    "--type",
                    "physical",
                    "--target",
                    "orders",
                    "--cron",
                    "0 1 * * *"));
    assertTrue(rotation.getMessage().contains("--type applies to"), rotation.getMessage());
    UsageException check =
        assertThrows(
            UsageException.class,
            () ->
                created(
                    "x",
                    "--runbook",
                    "check",
                    "--type",
                    "physical",
                    "--target",
                    "orders",
                    "--cron",
                    "0 1 * * *"));
    assertTrue(check.getMessage().contains("check has no type"), check.getMessage());
    UsageException bad =
        assertThrows(
            UsageException.class,
            () ->
                created(
                    "x",
                    "--runbook",
                    "backup",
                    "--type",
                    "incremental",
                    "--target",
                    "orders",
                    "--cron",
                    "0 1 * * *"));
    assertTrue(bad.getMessage().contains("--type physical"), bad.getMessage());
  }

  @Test
  void theMemoCarriesWhatScheduleListShows() {
    assertEquals(
        Map.of("runbook", "backup", "target", "orders", "cron", "0 2 * * *", "createdBy", "alice"),
        nightlyBackup().options().getMemo());
  }

  @Test
  void theCronWorkflowFallbackRunsTheSameWorkflowUnderTheScheduleName() {
    WorkflowOptions options = nightlyBackup().cronWorkflowOptions("runbooks");
    assertEquals("schedule-nightly-orders", options.getWorkflowId());
    assertEquals("0 2 * * *", options.getCronSchedule());
    assertEquals("runbooks", options.getTaskQueue());
    assertEquals("backup orders -> s3://backups/prod", options.getStaticSummary());
    assertEquals("backup", options.getMemo().get("runbook"));
  }

  @Test
  void cronExpressionsAreCheckedForTheirShape() {
    assertEquals("0 2 * * *", RunbookSchedule.checkCron("  0  2 * *   * "));
    assertEquals("*/15 * * * MON-FRI", RunbookSchedule.checkCron("*/15 * * * MON-FRI"));
    assertEquals("0 0 * * *", RunbookSchedule.checkCron("@daily"));
    assertEquals("0 * * * *", RunbookSchedule.checkCron("@Hourly"));
    assertEquals("0 0 * * 0", RunbookSchedule.checkCron("@weekly"));
    for (String bad :
        List.of("", "0 2 * *", "0 2 * * * *", "at two", "0 2 * * ;rm", "@every 6h", "@often")) {
      UsageException e =
          assertThrows(UsageException.class, () -> RunbookSchedule.checkCron(bad), bad);
      assertTrue(e.getMessage().contains("\"0 2 * * *\""), e.getMessage());
    }
  }

  @Test
  void scheduleNamesAreCheckedForWhatTemporalAccepts() {
    assertEquals("nightly-orders.v2", RunbookSchedule.checkName("nightly-orders.v2"));
    for (String bad : List.of("", "-x", "a b", "a/b", "x".repeat(101))) {
      assertThrows(UsageException.class, () -> RunbookSchedule.checkName(bad), bad);
    }
  }

  @Test
  void aListedTemporalScheduleShowsItsMemoNextRunAndPauseNote() {
    DataConverter converter = DefaultDataConverter.STANDARD_INSTANCE;
    Map<String, Payload> memo = new HashMap<>();
    nightlyBackup().memo().forEach((k, v) -> memo.put(k, converter.toPayload(v).get()));
    Instant next = Instant.parse("2026-01-25T02:00:00Z");
    ScheduleListDescription active =
        new ScheduleListDescription(
            "nightly-orders",
            new ScheduleListSchedule(
                new ScheduleListActionStartWorkflow("BackupWorkflow"),
                ScheduleSpec.newBuilder().build(),
                new ScheduleListState("created by alice", false)),
            new ScheduleListInfo(List.of(), List.of(next)),
            memo,
            converter,
            Map.of());
    ScheduleService.Row row = ScheduleService.row(active);
    assertEquals(
        new ScheduleService.Row(
            "nightly-orders",
            "backup",
            "orders",
            "0 2 * * *",
            next,
            false,
            "created by alice",
            ScheduleService.Mode.SCHEDULES,
            "logical"),
        row);

    ScheduleListDescription paused =
        new ScheduleListDescription(
            "nightly-orders",
            new ScheduleListSchedule(
                new ScheduleListActionStartWorkflow("BackupWorkflow"),
                ScheduleSpec.newBuilder().build(),
                new ScheduleListState("paused by bob: INC-1234", true)),
            new ScheduleListInfo(List.of(), List.of(next)),
            memo,
            converter,
            Map.of());
    ScheduleService.Row pausedRow = ScheduleService.row(paused);
    assertTrue(pausedRow.paused());
    assertNull(pausedRow.nextRun());

    StringWriter text = new StringWriter();
    ScheduleCommand.ListSchedules.print(List.of(row, pausedRow), new PrintWriter(text, true));
    List<String> lines = text.toString().lines().toList();
    assertTrue(lines.get(0).startsWith("NAME"), text.toString());
    assertTrue(lines.get(1).contains("backup") && lines.get(1).endsWith("active"), lines.get(1));
    assertTrue(lines.get(2).endsWith("paused (paused by bob: INC-1234)"), lines.get(2));
    assertFalse(text.toString().contains("cron workflows"), text.toString());

    ScheduleListDescription foreign =
        new ScheduleListDescription(
            "someone-elses",
            new ScheduleListSchedule(
                new ScheduleListActionStartWorkflow("Other"),
                ScheduleSpec.newBuilder().build(),
                new ScheduleListState("", false)),
            new ScheduleListInfo(List.of(), List.of()),
            Map.of(),
            converter,
            Map.of());
    assertNull(ScheduleService.row(foreign).runbook());
  }
}
