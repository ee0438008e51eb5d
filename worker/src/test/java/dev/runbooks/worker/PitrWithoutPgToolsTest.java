package dev.runbooks.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.pitr.PitrRestoreOutcome;
import dev.runbooks.workflows.pitr.PitrRestoreRequest;
import dev.runbooks.workflows.pitr.PitrRestoreWorkflow;
import dev.runbooks.workflows.pitr.PitrTarget;
import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookRequest;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * A point-in-time restore on a worker without the PostgreSQL server programs fails at once, naming
 * the programs it needs and how to install them, instead of waiting for an activity nobody
 * registered until its bound.
 */
class PitrWithoutPgToolsTest {
  private static final String QUEUE = "pitr-no-pg-tools";

  @TempDir Path dir;

  @Test
  void aPitrRestoreOnAWorkerWithoutTheServerProgramsFailsAtOnceNamingThem() throws Exception {
    Duration waited = Duration.ofMinutes(2);
    assertTrue(ActivityProfiles.QUICK_SQL.getScheduleToCloseTimeout().compareTo(waited) > 0);
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0);
        TemporalConnection connection = temporal.connect()) {
      WorkflowClient client = connection.client();
      Activities activities = Activities.build(config(), client, QUEUE, Optional.empty());
      try (RunbookWorker worker = RunbookWorker.start(client, QUEUE, activities)) {
        PitrRestoreWorkflow run =
            client.newWorkflowStub(
                PitrRestoreWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId("restore-orders-no-pg-tools")
                    .setTaskQueue(worker.taskQueue())
                    .build());
        WorkflowClient.start(
            run::run,
            new PitrRestoreRequest(
                new RunbookRequest("orders", "alice", false, Duration.ofHours(1)),
                PitrTarget.latest(),
                dir.resolve("restored").toString(),
                0));

        ExecutionException ended =
            assertThrows(
                ExecutionException.class,
                () ->
                    WorkflowStub.fromTyped(run)
                        .getResultAsync(PitrRestoreOutcome.class)
                        .get(waited.toSeconds(), TimeUnit.SECONDS),
                "the restore must fail within " + waited + ", not wait for a worker");
        Throwable cause = ((WorkflowFailedException) ended.getCause()).getCause();
        while (cause.getCause() != null) {
          cause = cause.getCause();
        }
        ApplicationFailure root = (ApplicationFailure) cause;
        assertEquals("BAD_INPUT", root.getType(), root.toString());
        assertTrue(root.isNonRetryable(), root.toString());
        String message = root.getOriginalMessage();
        assertTrue(message.contains("planPitrRestore"), message);
        assertTrue(message.contains("postgres") && message.contains("pg_ctl"), message);
        assertTrue(message.contains("apt-get install"), message);
        assertTrue(message.contains("restart the worker"), message);
        assertEquals(Outcome.FAILED, run.progress().outcome(), run.progress().toString());
      }
    }
  }

  private RunbooksConfig config() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  orders:\n"
                + "    primary: { host: 127.0.0.1, port: 5432, database: orders }\n"
                + "    admin: { user: postgres }\n"
                + "    production: false\n"
                + "repository: file://"
                + dir.resolve("backups")
                + "\n");
    return ConfigLoader.load(file, Map.of());
  }
}
