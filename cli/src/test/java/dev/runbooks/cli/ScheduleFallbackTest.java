package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.workflows.backup.BackupRequest;
import dev.runbooks.workflows.check.CheckRequest;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.WorkflowExecutionStartedEventAttributes;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DataConverter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code schedule} against the in-memory Temporal, which answers UNIMPLEMENTED for Schedules: cron
 * workflows stand in, and every command says so.
 */
class ScheduleFallbackTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  private static FakeBackupRuns runs;

  @BeforeAll
  static void start() {
    runs = new FakeBackupRuns(dir);
  }

  @AfterAll
  static void stop() {
    runs.close();
  }

  @Test
  void createStartsACronWorkflowOfTheRunbookAndSaysSo() throws Exception {
    Cli.Result created =
        runs.cli()
            .run(
                "schedule",
                "create",
                "nightly-orders",
                "--runbook",
                "backup",
                "--target",
                "orders",
                "--cron",
                "0 2 * * *",
                "--jitter",
                "PT5M");
    assertEquals(0, created.code(), created.toString());
    assertTrue(created.err().contains("no Schedules"), created.toString());
    assertTrue(created.err().contains("cron workflow schedule-nightly-orders"), created.toString());
    assertTrue(
        created.out().contains("Created cron workflow schedule-nightly-orders"), created.out());

    WorkflowStub stub = runs.connection.client().newUntypedWorkflowStub("schedule-nightly-orders");
    assertEquals("BackupWorkflow", stub.describe().getWorkflowType());
    assertEquals("RUNNING", RunState.label(stub.describe().getStatus()));
    HistoryEvent first =
        runs.connection.client().fetchHistory("schedule-nightly-orders").getEvents().get(0);
    WorkflowExecutionStartedEventAttributes started =
        first.getWorkflowExecutionStartedEventAttributes();
    assertEquals("0 2 * * *", started.getCronSchedule());
    assertEquals("runbooks", started.getTaskQueue().getName());
    assertTrue(started.getFirstWorkflowTaskBackoff().getSeconds() > 0, started.toString());
    DataConverter converter = runs.connection.client().getOptions().getDataConverter();
    BackupRequest request =
        converter.fromPayloads(
            0, Optional.of(started.getInput()), BackupRequest.class, BackupRequest.class);
    assertTrue(request.verify());
    assertEquals("schedule:nightly-orders", request.runbook().initiator());
    assertEquals(
        "backup", stub.describe().getTypedSearchAttributes().get(RunbookSearchAttributes.KIND));

    Cli.Result again =
        runs.cli()
            .run(
                "schedule",
                "create",
                "nightly-orders",
                "--runbook",
                "restore-drill",
                "--target",
                "orders",
                "--cron",
                "0 3 * * *");
    assertEquals(2, again.code(), again.toString());
    assertTrue(again.err().contains("exists already"), again.toString());

    runs.cli().run("schedule", "delete", "nightly-orders");
  }

  /** A scheduled check keeps the metrics endpoint's health figures current (metrics.md). */
  @Test
  void aCheckCanBeScheduledWithTheSameRequestAsByHand() throws Exception {
    Cli.Result created =
        runs.cli()
            .run(
                "schedule",
                "create",
                "orders-health",
                "--runbook",
                "check",
                "--target",
                "orders",
                "--cron",
                "*/5 * * * *");
    assertEquals(0, created.code(), created.toString());
    WorkflowStub stub = runs.connection.client().newUntypedWorkflowStub("schedule-orders-health");
    assertEquals("CheckWorkflow", stub.describe().getWorkflowType());
    assertEquals(
        "check", stub.describe().getTypedSearchAttributes().get(RunbookSearchAttributes.KIND));
    WorkflowExecutionStartedEventAttributes started =
        runs.connection
            .client()
            .fetchHistory("schedule-orders-health")
            .getEvents()
            .get(0)
            .getWorkflowExecutionStartedEventAttributes();
    assertEquals("*/5 * * * *", started.getCronSchedule());
    CheckRequest request =
        runs.connection
            .client()
            .getOptions()
            .getDataConverter()
            .fromPayloads(
                0, Optional.of(started.getInput()), CheckRequest.class, CheckRequest.class);
    assertEquals("orders", request.runbook().target());
    assertEquals("schedule:orders-health", request.runbook().initiator());
    assertEquals(Duration.ofMinutes(5), request.longTransaction());

    runs.cli().run("schedule", "delete", "orders-health");
  }

  @Test
  void listShowsTheCronWorkflowsWithTheirNextRun() throws Exception {
    Cli.Result created =
        runs.cli()
            .run(
                "schedule",
                "create",
                "weekly-drill",
                "--runbook",
                "restore-drill",
                "--target",
                "orders",
                "--cron",
                "0 6 * * 1");
    assertEquals(0, created.code(), created.toString());

    Cli.Result text = runs.cli().run("schedule", "list");
    assertEquals(0, text.code(), text.toString());
    assertTrue(text.out().startsWith("NAME"), text.out());
    assertTrue(text.out().contains("this Temporal has no Schedules"), text.out());
    assertTrue(
        text.out()
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("weekly-drill")
                        && l.contains("restore-drill")
                        && l.contains("orders")
                        && l.contains("0 6 * * 1")),
        text.out());

    Cli.Result json = runs.cli().run("schedule", "list", "--output", "json");
    assertEquals(0, json.code(), json.toString());
    JsonNode row = null;
    for (JsonNode r : JSON.readTree(json.out())) {
      if (r.path("name").asText().equals("weekly-drill")) {
        row = r;
      }
    }
    assertTrue(row != null, json.out());
    assertEquals("CRON_WORKFLOWS", row.path("mode").asText());
    Instant next = Instant.parse(row.path("nextRun").asText());
    assertTrue(next.isAfter(Instant.now()), row.toString());
    assertEquals(0, next.getEpochSecond() % 3600, "on the hour: " + next);

    Cli.Result runsList = runs.cli().run("list", "-o", "json");
    assertEquals(0, runsList.code(), runsList.toString());
    JsonNode standIn = null;
    for (JsonNode r : JSON.readTree(runsList.out())) {
      if (r.path("workflowId").asText().equals("schedule-weekly-drill")) {
        standIn = r;
      }
    }
    assertTrue(standIn != null, runsList.out());
    assertEquals("restore-drill", standIn.path("kind").asText(), standIn.toString());
    assertEquals("orders", standIn.path("target").asText(), standIn.toString());

    runs.cli().run("schedule", "delete", "weekly-drill");
  }

  @Test
  void pauseHoldsTheCronWorkflowBackUntilUnpausedAndDeleteTerminates() throws Exception {
    Cli.Result created =
        runs.cli()
            .run(
                "schedule",
                "create",
                "hourly",
                "--runbook",
                "backup",
                "--target",
                "orders",
                "--cron",
                "@hourly");
    assertEquals(0, created.code(), created.toString());

    Cli.Result paused = runs.cli().run("schedule", "pause", "hourly", "--note", "INC-1");
    assertEquals(0, paused.code(), paused.toString());
    assertTrue(paused.out().contains("Paused schedule hourly"), paused.toString());
    WorkflowExecutionStartedEventAttributes held = started("schedule-hourly");
    assertEquals("", held.getCronSchedule(), "a paused stand-in does not fire:\n" + held);
    assertTrue(
        held.getFirstWorkflowTaskBackoff().getSeconds() > Duration.ofDays(3650).toSeconds(),
        "a paused stand-in's first task waits until it is unpaused:\n" + held);
    assertEquals("BackupWorkflow", held.getWorkflowType().getName());
    JsonNode row = scheduleRow("hourly");
    assertTrue(row.path("paused").asBoolean(), row.toString());
    assertEquals("paused by tester: INC-1", row.path("note").asText(), row.toString());
    assertEquals("0 * * * *", row.path("cron").asText(), row.toString());
    assertTrue(row.path("nextRun").isNull(), row.toString());
    Cli.Result pausedList = runs.cli().run("schedule", "list");
    assertTrue(
        pausedList.out().lines().anyMatch(l -> l.startsWith("hourly") && l.contains("paused")),
        pausedList.out());

    Cli.Result unpaused = runs.cli().run("schedule", "unpause", "hourly");
    assertEquals(0, unpaused.code(), unpaused.toString());
    WorkflowExecutionStartedEventAttributes resumed = started("schedule-hourly");
    assertEquals("0 * * * *", resumed.getCronSchedule(), resumed.toString());
    assertTrue(
        resumed.getFirstWorkflowTaskBackoff().getSeconds() <= 3600,
        "fires at the next hour again:\n" + resumed);
    BackupRequest request =
        runs.connection
            .client()
            .getOptions()
            .getDataConverter()
            .fromPayloads(
                0, Optional.of(resumed.getInput()), BackupRequest.class, BackupRequest.class);
    assertEquals("schedule:hourly", request.runbook().initiator());
    JsonNode active = scheduleRow("hourly");
    assertFalse(active.path("paused").asBoolean(), active.toString());
    assertTrue(active.path("nextRun").isTextual(), active.toString());
    assertEquals(
        "backup",
        runs.connection
            .client()
            .newUntypedWorkflowStub("schedule-hourly")
            .describe()
            .getTypedSearchAttributes()
            .get(RunbookSearchAttributes.KIND));

    Cli.Result none = runs.cli().run("schedule", "pause", "no-such");
    assertEquals(2, none.code(), none.toString());
    assertTrue(none.err().contains("no schedule named no-such"), none.toString());

    Cli.Result list = runs.cli().run("schedule", "list");
    assertTrue(
        list.out().lines().anyMatch(l -> l.startsWith("hourly") && l.contains("0 * * * *")),
        list.out());

    Cli.Result deleted = runs.cli().run("schedule", "delete", "hourly");
    assertEquals(0, deleted.code(), deleted.toString());
    assertTrue(
        deleted.out().contains("Terminated the cron workflow schedule-hourly"), deleted.out());
    WorkflowStub stub = runs.connection.client().newUntypedWorkflowStub("schedule-hourly");
    assertEquals("TERMINATED", RunState.label(stub.describe().getStatus()));
    Cli.Result after = runs.cli().run("schedule", "list");
    assertFalse(after.out().contains("hourly"), after.out());

    Cli.Result again = runs.cli().run("schedule", "delete", "hourly");
    assertEquals(2, again.code(), again.toString());
    assertTrue(again.err().contains("no schedule named hourly"), again.toString());
  }

  @Test
  void mistakesAreUsageErrorsBeforeAnythingIsCreated() {
    Cli.Result kind =
        runs.cli()
            .run(
                "schedule",
                "create",
                "x",
                "--runbook",
                "migrate",
                "--target",
                "orders",
                "--cron",
                "0 2 * * *");
    assertEquals(2, kind.code(), kind.toString());
    assertTrue(kind.err().contains("give one of backup, restore-drill"), kind.toString());

    Cli.Result cron =
        runs.cli()
            .run(
                "schedule",
                "create",
                "x",
                "--runbook",
                "backup",
                "--target",
                "orders",
                "--cron",
                "2am");
    assertEquals(2, cron.code(), cron.toString());
    assertTrue(cron.err().contains("is not a cron expression"), cron.toString());

    Cli.Result name =
        runs.cli()
            .run(
                "schedule",
                "create",
                "bad name",
                "--runbook",
                "backup",
                "--target",
                "orders",
                "--cron",
                "0 2 * * *");
    assertEquals(2, name.code(), name.toString());

    Cli.Result target =
        runs.cli()
            .run(
                "schedule",
                "create",
                "x",
                "--runbook",
                "backup",
                "--target",
                "nope",
                "--cron",
                "0 2 * * *");
    assertEquals(2, target.code(), target.toString());
    assertTrue(target.err().contains("unknown target \"nope\""), target.toString());

    Cli.Result jitter =
        runs.cli()
            .run(
                "schedule",
                "create",
                "x",
                "--runbook",
                "backup",
                "--target",
                "orders",
                "--cron",
                "0 2 * * *",
                "--jitter",
                "soon");
    assertEquals(2, jitter.code(), jitter.toString());

    Cli.Result missing = runs.cli().run("schedule");
    assertEquals(2, missing.code(), missing.toString());
    assertTrue(missing.err().contains("a subcommand is missing"), missing.toString());

    Cli.Result list = runs.cli().run("schedule", "list");
    assertFalse(list.out().lines().anyMatch(l -> l.startsWith("x ")), list.out());
  }

  private static WorkflowExecutionStartedEventAttributes started(String workflowId) {
    return runs.connection
        .client()
        .fetchHistory(workflowId)
        .getEvents()
        .get(0)
        .getWorkflowExecutionStartedEventAttributes();
  }

  private static JsonNode scheduleRow(String name) throws Exception {
    Cli.Result json = runs.cli().run("schedule", "list", "-o", "json");
    assertEquals(0, json.code(), json.toString());
    for (JsonNode r : JSON.readTree(json.out())) {
      if (r.path("name").asText().equals(name)) {
        return r;
      }
    }
    throw new AssertionError("no schedule " + name + " in\n" + json);
  }
}
