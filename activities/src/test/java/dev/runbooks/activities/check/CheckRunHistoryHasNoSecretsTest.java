package dev.runbooks.activities.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.postgres.ConfiguredConnections;
import dev.runbooks.activities.secrets.FileSecretStore;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.activities.testing.SecretScan;
import dev.runbooks.workflows.check.CheckRequest;
import dev.runbooks.workflows.check.CheckResult;
import dev.runbooks.workflows.check.CheckWorkflow;
import dev.runbooks.workflows.check.CheckWorkflowImpl;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real check run, with the admin password resolved from the secret store inside activities:
 * neither the right password nor a wrong one may appear anywhere in the run's history.
 */
class CheckRunHistoryHasNoSecretsTest {
  private static final String PASSWORD = "admin-Pw-never-in-history-7731";
  private static final String WRONG_PASSWORD = "wrong-Pw-never-in-history-1187";

  @RegisterExtension
  static final PostgresExtension pg =
      PostgresExtension.newPrimary().withReplicas(1).withScram(PASSWORD);

  @TempDir Path dir;
  private TestWorkflowEnvironment env;
  private FileSecretStore secrets;

  @BeforeEach
  void setUp() throws Exception {
    secrets = new FileSecretStore(dir.resolve("secrets.json"));
    Path file = dir.resolve("runbooks.yaml");
    Files.writeString(
        file,
        "targets:\n"
            + "  orders:\n"
            + "    primary: { host: 127.0.0.1, port: "
            + pg.primary().port()
            + ", database: postgres, sslmode: disable }\n"
            + "    replicas: [ { name: replica0, host: 127.0.0.1, port: "
            + pg.replica(0).port()
            + " } ]\n"
            + "    admin: { secret: db/orders/admin }\n");
    ConfiguredConnections connections =
        new ConfiguredConnections(ConfigLoader.load(file, Map.of()), secrets);

    env = TestWorkflowEnvironment.newInstance();
    for (var key : RunbookSearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    Worker worker = env.newWorker("checks");
    worker.registerWorkflowImplementationTypes(CheckWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new CheckActivitiesImpl(connections, CheckThresholds.defaults()));
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private CheckWorkflow newRun(String id) {
    return env.getWorkflowClient()
        .newWorkflowStub(
            CheckWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue("checks").build());
  }

  private static CheckRequest request() {
    return new CheckRequest(
        new RunbookRequest("orders", "alice", false, Duration.ofHours(1)), Duration.ofMinutes(5));
  }

  @Test
  void passwordResolvedInActivitiesNeverReachesTheHistory() {
    secrets.write(
        "db/orders/admin", Map.of("username", "postgres", "password", PASSWORD), OptionalInt.of(0));
    CheckWorkflow run = newRun("check-orders-secret");
    CheckResult result = run.run(request());

    assertEquals(9, result.findings().stream().map(f -> f.check()).distinct().count());
    assertEquals(Outcome.SUCCEEDED, run.progress().outcome(), result.toString());
    SecretScan.assertNoSecrets(env.getWorkflowClient(), "check-orders-secret", List.of(PASSWORD));
  }

  @Test
  void wrongPasswordFailsTheRunWithoutShowingEitherPassword() {
    secrets.write(
        "db/orders/admin",
        Map.of("username", "postgres", "password", WRONG_PASSWORD),
        OptionalInt.of(0));
    CheckWorkflow run = newRun("check-orders-wrong");
    WorkflowFailedException failed =
        assertThrows(WorkflowFailedException.class, () -> run.run(request()));
    assertEquals("AUTHENTICATION", ((ApplicationFailure) failed.getCause()).getType());
    SecretScan.assertNoSecrets(
        env.getWorkflowClient(), "check-orders-wrong", List.of(PASSWORD, WRONG_PASSWORD));
  }
}
