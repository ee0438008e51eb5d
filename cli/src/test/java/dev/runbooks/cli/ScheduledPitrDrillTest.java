package dev.runbooks.cli;

import static dev.runbooks.activities.pitr.WalTestSupport.awaitArchived;
import static dev.runbooks.activities.pitr.WalTestSupport.currentLsn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.pitr.WalArchive;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.worker.Activities;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.workflows.Runbooks;
import dev.runbooks.workflows.pitr.PitrDrillResult;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.history.v1.History;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The nightly PITR drill as the cron workflow that stands in for a Temporal Schedule: built by
 * {@code schedule create --runbook restore-drill --type physical}, started by {@link
 * ScheduleService}'s fallback on a time-skipping Temporal, and fired twice by its cron against a
 * real primary whose archiver and base backup run on a real-time Temporal. Each firing restores the
 * base backup + WAL to a fresh restore point and records its verdict, RTO and RPO beside it.
 */
class ScheduledPitrDrillTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String QUEUE = "runbooks";

  /** Its own name, so its archiver's spool under the worker's data directory is its own. */
  private static final String TARGET = "scheduled";

  @TempDir Path dir;

  @Test
  void theCronStandInRunsThePitrDrillOnEachFiringAndRecordsItsRtoAndRpo() throws Exception {
    Path backups = dir.resolve("backups");
    Path keyset = dir.resolve("backup-keyset.json");
    try (LocalCluster primary = LocalCluster.builder().name("scheduled").walDefaults().start()) {
      primary.execute(
          "postgres",
          "CREATE TABLE orders (id int PRIMARY KEY, note text)",
          "INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 500) g");
      Path file =
          Files.writeString(
              dir.resolve("runbooks.yaml"),
              "targets:\n  "
                  + TARGET
                  + ":\n    primary: { host: 127.0.0.1, port: "
                  + primary.port()
                  + ", database: postgres }\n    admin: { user: postgres }\n"
                  + "repository: file://"
                  + backups
                  + "\nencryption: local-keyset:"
                  + keyset
                  + "\n");
      RunbooksConfig config = ConfigLoader.load(file, Map.of());
      try (EmbeddedRunbooks live = EmbeddedRunbooks.start(0, config, QUEUE)) {
        Cli cli =
            new Cli(Cli.isolatedEnv())
                .with("RUNBOOKS_CONFIG", file.toString())
                .with("TEMPORAL_ADDRESS", live.temporal().address());
        WorkflowClient liveClient = live.connection().client();
        assertTrue(ArchiveRuns.start(liveClient, QUEUE, TARGET, "tester"));
        try {
          WalArchive archive =
              new WalArchive(
                  new FileRepository(backups),
                  LocalKeysetKek.open(keyset),
                  TARGET,
                  Clock.systemUTC());
          awaitArchived(archive, currentLsn(primary), Duration.ofSeconds(120));
          Cli.Result base = cli.run("backup", "--target", TARGET, "--type", "physical", "--wait");
          assertEquals(0, base.code(), base.toString());

          List<JsonNode> verdicts = drillTwiceOnTheCron(config, backups);
          assertNotEquals(
              verdicts.get(0).path("drillId").asText(),
              verdicts.get(1).path("drillId").asText(),
              "each firing drills to a restore point of its own");

          // runbook backups shows the window and each base backup's newest drill verdict.
          Cli.Result json = cli.run("backups", "--target", TARGET, "--output", "json");
          assertEquals(0, json.code(), json.toString());
          Schemas.assertValid("backups", json);
          JsonNode pitr = JSON.readTree(json.out()).path("pitr");
          assertTrue(pitr.path("archive").path("archived").asBoolean(), json.out());
          assertFalse(pitr.path("archive").path("end").asText().isEmpty(), json.out());
          JsonNode drilled = pitr.path("archive").path("baseBackups").get(0);
          assertTrue(drilled != null && drilled.path("drilled").asBoolean(), json.out());
          assertTrue(drilled.path("passed").asBoolean(), json.out());
          assertEquals(verdicts.get(1).path("rto").asText(), drilled.path("rto").asText());
          assertEquals(verdicts.get(1).path("rpo").asText(), drilled.path("rpo").asText());
          Cli.Result text = cli.run("backups", "--target", TARGET);
          assertEquals(0, text.code(), text.toString());
          assertTrue(text.out().contains("  window:   "), text.out());
          assertTrue(
              text.out()
                  .lines()
                  .anyMatch(
                      l ->
                          l.contains(drilled.path("backupId").asText())
                              && l.contains("drill passed")
                              && l.contains("RTO ")
                              && l.contains("RPO ")),
              text.out());
        } finally {
          try {
            ArchiveRuns.stop(liveClient, TARGET, "test over", Duration.ofMinutes(2));
          } catch (UsageException e) {
            System.out.println("teardown: " + e.getMessage());
          }
        }
      }
    }
  }

  /** Creates the schedule on a time-skipping Temporal and lets its cron fire twice. */
  private List<JsonNode> drillTwiceOnTheCron(RunbooksConfig config, Path backups) throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      for (var key : RunbookSearchAttributes.ALL) {
        env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
      }
      WorkflowClient client = env.getWorkflowClient();
      Worker worker = env.newWorker(QUEUE);
      worker.registerWorkflowImplementationTypes(
          Runbooks.WORKFLOW_IMPLEMENTATIONS.toArray(new Class<?>[0]));
      worker.registerActivitiesImplementations(
          Activities.build(config, client, QUEUE).implementations().toArray());
      env.start();

      ScheduleCreateCommand create = new ScheduleCreateCommand();
      new CommandLine(create)
          .setCaseInsensitiveEnumValuesAllowed(true)
          .parseArgs(
              "hourly-pitr",
              "--runbook",
              "restore-drill",
              "--type",
              "physical",
              "--target",
              TARGET,
              "--cron",
              "@hourly");
      RunbookSchedule schedule = create.schedule(config, "tester");
      assertEquals(
          ScheduleService.Mode.CRON_WORKFLOWS,
          new ScheduleService(client, "tester").create(schedule, QUEUE));
      String id = schedule.cronWorkflowId();
      String runId = client.newUntypedWorkflowStub(id).describe().getExecution().getRunId();

      List<JsonNode> verdicts = new ArrayList<>();
      for (int firing = 0; firing < 2; firing++) {
        Instant now = Instant.ofEpochMilli(env.currentTimeMillis());
        Instant fire = now.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        // Skip to just before the firing; the drill itself then runs in real time, so its
        // activities' heartbeat and start-to-close timeouts mean what they say.
        Duration skip = Duration.between(now, fire).minusSeconds(2);
        if (!skip.isNegative()) {
          env.sleep(skip);
        }
        HistoryEvent closed = awaitClosed(client, id, runId, Duration.ofMinutes(6));
        // A cron run that passes hands its result and its successor's run ID on: the in-memory
        // service records that as continued-as-new, a cluster as completed; a failed run as
        // failed.
        io.temporal.api.common.v1.Payloads payloads;
        String next;
        if (closed.hasWorkflowExecutionContinuedAsNewEventAttributes()) {
          var attributes = closed.getWorkflowExecutionContinuedAsNewEventAttributes();
          // The in-memory service records a failed cron run so too, with its failure.
          assertFalse(
              failed(attributes), "firing " + firing + " of the PITR drill failed: " + attributes);
          payloads = attributes.getLastCompletionResult();
          next = attributes.getNewExecutionRunId();
        } else {
          assertTrue(
              closed.hasWorkflowExecutionCompletedEventAttributes(),
              "firing " + firing + " of the PITR drill did not pass: " + closed);
          payloads = closed.getWorkflowExecutionCompletedEventAttributes().getResult();
          next = closed.getWorkflowExecutionCompletedEventAttributes().getNewExecutionRunId();
        }
        PitrDrillResult result =
            client
                .getOptions()
                .getDataConverter()
                .fromPayloads(
                    0, Optional.of(payloads), PitrDrillResult.class, PitrDrillResult.class);
        assertTrue(result.passed(), result.toString());
        assertTrue(result.rto().compareTo(Duration.ZERO) > 0, result.toString());
        assertFalse(result.rpo().isNegative(), result.toString());
        assertTrue(
            Instant.ofEpochMilli(env.currentTimeMillis()).isAfter(fire),
            "ran at the cron's time, not before");

        Path verdictFile =
            backups.resolve(TARGET).resolve(result.backupId()).resolve("pitr-drill.json");
        JsonNode verdict = JSON.readTree(Files.readString(verdictFile));
        assertTrue(verdict.path("passed").asBoolean(), verdict.toString());
        assertEquals(result.rto().toString(), verdict.path("rto").asText(), verdict.toString());
        assertEquals(result.rpo().toString(), verdict.path("rpo").asText(), verdict.toString());
        verdicts.add(verdict);
        System.out.println(
            "FIGURE scheduled_pitr_drill_rto_ms "
                + result.rto().toMillis()
                + " rpo_ms "
                + result.rpo().toMillis()
                + " (firing "
                + firing
                + ")");
        runId = next;
        assertFalse(runId.isEmpty(), "the cron schedules its next run: " + closed);
      }
      client.newUntypedWorkflowStub(id).terminate("test over");
      return verdicts;
    }
  }

  @SuppressWarnings("deprecation") // how the in-memory service records a failed cron run
  private static boolean failed(
      io.temporal.api.history.v1.WorkflowExecutionContinuedAsNewEventAttributes attributes) {
    return attributes.hasFailure();
  }

  /** The closing event of one run, polled (waiting on its result would skip time meanwhile). */
  private static HistoryEvent awaitClosed(
      WorkflowClient client, String id, String runId, Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    int polls = 0;
    while (Instant.now().isBefore(deadline)) {
      History history = client.fetchHistory(id, runId).getHistory();
      HistoryEvent last = history.getEvents(history.getEventsCount() - 1);
      if (last.hasWorkflowExecutionCompletedEventAttributes()
          || last.hasWorkflowExecutionContinuedAsNewEventAttributes()
          || last.hasWorkflowExecutionFailedEventAttributes()
          || last.hasWorkflowExecutionTimedOutEventAttributes()
          || last.hasWorkflowExecutionTerminatedEventAttributes()) {
        return last;
      }
      if (++polls % 60 == 0) {
        System.out.println("waiting on " + runId + ": " + events(client, id, runId));
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "run "
            + runId
            + " of "
            + id
            + " did not end within "
            + timeout
            + " (real time); its history:"
            + events(client, id, runId)
            + "\npending: "
            + client
                .getWorkflowServiceStubs()
                .blockingStub()
                .describeWorkflowExecution(
                    io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace(client.getOptions().getNamespace())
                        .setExecution(
                            io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                                .setWorkflowId(id)
                                .setRunId(runId))
                        .build())
                .getPendingActivitiesList());
  }

  private static String events(WorkflowClient client, String id, String runId) {
    StringBuilder events = new StringBuilder();
    for (HistoryEvent e : client.fetchHistory(id, runId).getHistory().getEventsList()) {
      events
          .append("\n  ")
          .append(e.getEventType())
          .append(' ')
          .append(Instant.ofEpochSecond(e.getEventTime().getSeconds()));
    }
    return events.toString();
  }
}
