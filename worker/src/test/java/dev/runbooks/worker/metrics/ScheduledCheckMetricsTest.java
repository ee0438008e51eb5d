package dev.runbooks.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.workflows.check.CheckRequest;
import dev.runbooks.workflows.check.CheckWorkflow;
import dev.runbooks.workflows.shared.RunbookRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where Temporal has no Schedules (the in-memory service of {@code runbook dev}), {@code schedule
 * create --runbook check} starts a cron workflow, whose runs end by continuing as new rather than
 * completing: their reports still reach the metrics endpoint.
 */
class ScheduledCheckMetricsTest {
  private static final String QUEUE = "scheduled-check-metrics";

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  @TempDir Path dir;

  @Test
  void aCronChecksReportReachesTheEndpoint() throws Exception {
    RunbooksConfig config =
        ConfigLoader.load(
            Files.writeString(
                dir.resolve("runbooks.yaml"),
                "targets:\n  orders:\n    primary: { host: 127.0.0.1, port: "
                    + pg.primary().port()
                    + ", database: postgres }\n    admin: { user: postgres }\n"),
            Map.of());
    try (EmbeddedRunbooks local = EmbeddedRunbooks.start(0, config, QUEUE)) {
      WorkflowClient client = local.connection().client();
      CheckWorkflow cron =
          client.newWorkflowStub(
              CheckWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId("schedule-orders-health")
                  .setTaskQueue(QUEUE)
                  .setCronSchedule("* * * * *")
                  .build());
      WorkflowClient.start(
          cron::run,
          new CheckRequest(
              new RunbookRequest("orders", "schedule:orders-health", false, Duration.ofHours(1)),
              Duration.ofMinutes(5)));
      try {
        // The first run starts at the next full minute.
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        Map<String, String> samples;
        String checked;
        do {
          Thread.sleep(2000);
          samples =
              HealthMetricsEndToEndTest.healthSamples(
                  HealthMetricsEndToEndTest.scrape(local.connection(), config));
          checked = samples.get("runbooks_check_last_timestamp_seconds{target=\"orders\"}");
        } while ("0.0".equals(checked) && System.nanoTime() < deadline);

        assertTrue(Double.parseDouble(checked) > 0, "no cron run reached the endpoint: " + samples);
        assertEquals(
            "1.0",
            samples.get(
                "runbooks_check_findings{check=\"connectivity\",severity=\"ok\",target=\"orders\"}"),
            samples.toString());
        assertTrue(
            samples.containsKey(
                "runbooks_database_xid_age{database=\"postgres\",target=\"orders\"}"),
            samples.toString());
      } finally {
        WorkflowStub.fromTyped(cron).terminate("test over");
      }
    }
  }
}
