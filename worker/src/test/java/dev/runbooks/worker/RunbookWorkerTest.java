package dev.runbooks.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.activities.testing.SecretScan;
import dev.runbooks.workflows.check.CheckRequest;
import dev.runbooks.workflows.check.CheckResult;
import dev.runbooks.workflows.check.CheckWorkflow;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Severity;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The composition root end to end: configuration and a file secret store in, a worker on the
 * embedded Temporal out, a check of a real PostgreSQL primary with a streaming replica.
 */
class RunbookWorkerTest {
  private static final String PASSWORD = "wkr-Secr3t-" + Long.toHexString(System.nanoTime());

  @RegisterExtension
  static final PostgresExtension pg =
      PostgresExtension.newPrimary().withReplicas(1).withScram(PASSWORD);

  @TempDir Path dir;

  private RunbooksConfig config() throws IOException {
    Path secrets = dir.resolve("secrets.json");
    SecretStores.open("file://" + secrets, dir)
        .write(
            "db/orders/admin",
            Map.of("username", "postgres", "password", PASSWORD),
            OptionalInt.of(0));
    Path file =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  orders:\n"
                + "    primary: { host: 127.0.0.1, port: "
                + pg.primary().port()
                + ", database: postgres }\n"
                + "    replicas: [ { name: "
                + pg.replica(0).name()
                + ", host: 127.0.0.1, port: "
                + pg.replica(0).port()
                + " } ]\n"
                + "    admin: { secret: db/orders/admin }\n"
                + "secrets: file://secrets.json\n");
    return ConfigLoader.load(file, Map.of());
  }

  @Test
  void checksARealClusterThroughTheConfiguredSecretStore() throws IOException {
    try (EmbeddedRunbooks local = EmbeddedRunbooks.start(0, config(), "worker-test")) {
      WorkflowClient client = local.connection().client();
      CheckWorkflow check =
          client.newWorkflowStub(
              CheckWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId("check-orders-worker-test")
                  .setTaskQueue("worker-test")
                  .setWorkflowExecutionTimeout(Duration.ofMinutes(5))
                  .build());
      CheckResult result =
          check.run(
              new CheckRequest(
                  new RunbookRequest("orders", "tester", false, Duration.ofHours(1)),
                  Duration.ofMinutes(5)));

      assertNotEquals(Severity.CRITICAL, result.worst(), result.findings().toString());
      Finding connectivity = result.findings().get(0);
      assertEquals("connectivity", connectivity.check());
      assertEquals(Severity.OK, connectivity.severity(), connectivity.toString());
      assertTrue(
          result.findings().stream()
              .anyMatch(f -> f.check().contains("replica") && f.severity() == Severity.OK),
          result.findings().toString());

      SearchAttributes attributes =
          WorkflowStub.fromTyped(check).describe().getTypedSearchAttributes();
      assertEquals("check", attributes.get(RunbookSearchAttributes.KIND));
      assertEquals("orders", attributes.get(RunbookSearchAttributes.TARGET));
      SecretScan.assertNoSecrets(client, "check-orders-worker-test", List.of(PASSWORD));
    }
  }

  @Test
  void theBackupCipherWarmsUpOnADaemonThreadSoStartingIsNotDelayed() throws InterruptedException {
    Thread warmUp = RunbookWorker.warmUpCipher();
    assertTrue(warmUp.isDaemon(), "a warm-up must not keep the JVM alive");
    assertEquals("backup-cipher-warm-up", warmUp.getName());
    warmUp.join(30_000);
    assertTrue(!warmUp.isAlive(), "the warm-up ends on its own (at most a second of work)");
  }
}
