package dev.runbooks.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.migration.MigrationRequest;
import dev.runbooks.workflows.migration.MigrationResult;
import dev.runbooks.workflows.migration.MigrationWorkflow;
import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.StepState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker without the PostgreSQL programs still registers something for every activity that needs
 * them, so a migration on it fails at once, saying what to install, instead of waiting at validate.
 */
class MigrationWithoutPgToolsTest {
  private static final String QUEUE = "no-pg-tools";

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  @TempDir Path dir;

  private RunbooksConfig config() throws IOException {
    Path migrations = Files.createDirectories(dir.resolve("migrations"));
    Files.writeString(migrations.resolve("V1__orders.sql"), "CREATE TABLE orders (id int);\n");
    Path file =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  orders:\n"
                + "    primary: { host: 127.0.0.1, port: "
                + pg.primary().port()
                + ", database: postgres }\n"
                + "    admin: { user: postgres }\n"
                + "    production: false\n"
                + "    migrations: migrations\n"
                + "repository: file://"
                + dir.resolve("backups")
                + "\n");
    return ConfigLoader.load(file, Map.of());
  }

  @Test
  void aMigrationOnAWorkerWithoutPgDumpFailsWithinItsBoundSayingWhatToInstall() throws Exception {
    // Well inside the bound of the validate call: a run that waits for a worker that never comes
    // would only fail at the bound.
    Duration waited = Duration.ofMinutes(2);
    assertTrue(ActivityProfiles.QUICK_SQL.getScheduleToCloseTimeout().compareTo(waited) > 0);
    RunbooksConfig config = config();
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0);
        TemporalConnection connection = temporal.connect()) {
      WorkflowClient client = connection.client();
      Activities activities = Activities.build(config, client, QUEUE, Optional.empty());
      try (RunbookWorker worker = RunbookWorker.start(client, QUEUE, activities)) {
        MigrationWorkflow run =
            client.newWorkflowStub(
                MigrationWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId("migrate-orders-no-pg-tools")
                    .setTaskQueue(worker.taskQueue())
                    .build());
        WorkflowClient.start(
            run::run,
            new MigrationRequest(
                new RunbookRequest("orders", "alice", false, Duration.ofHours(1)),
                null,
                true,
                MigrationRequest.DEFAULT_LOCK_TIMEOUT,
                MigrationRequest.DEFAULT_STATEMENT_TIMEOUT));

        ExecutionException ended =
            assertThrows(
                ExecutionException.class,
                () ->
                    WorkflowStub.fromTyped(run)
                        .getResultAsync(MigrationResult.class)
                        .get(waited.toSeconds(), TimeUnit.SECONDS),
                "the migration must fail within " + waited + ", not wait for a worker");
        WorkflowFailedException failed = (WorkflowFailedException) ended.getCause();
        Throwable cause = failed.getCause();
        while (cause.getCause() != null) {
          cause = cause.getCause();
        }
        ApplicationFailure root = (ApplicationFailure) cause;
        assertEquals("BAD_INPUT", root.getType(), root.toString());
        assertTrue(root.isNonRetryable(), root.toString());
        assertTrue(
            root.getOriginalMessage().contains("no PostgreSQL client tools"), root.toString());
        assertTrue(root.getOriginalMessage().contains("apt-get install"), root.toString());

        RunbookProgress progress = run.progress();
        assertEquals(Outcome.FAILED, progress.outcome(), progress.toString());
        Step validate =
            progress.steps().stream().filter(s -> s.name().equals("validate")).findFirst().get();
        assertEquals(StepState.FAILED, validate.state(), progress.toString());
      }
    }
  }
}
