package dev.runbooks.activities.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.SecretScan;
import dev.runbooks.workflows.shared.RunbookRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scanner the runbooks' secret tests rely on must find a secret where one is. */
class SecretScanTest {
  @Test
  void findsASecretInAPayloadAndPassesAHistoryWithout() throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("scan");
      worker.registerWorkflowImplementationTypes(GatedWorkflowImpl.class);
      worker.registerActivitiesImplementations(new RecordingGatedActivities());
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      GatedWorkflow run =
          client.newWorkflowStub(
              GatedWorkflow.class,
              WorkflowOptions.newBuilder().setWorkflowId("scan-1").setTaskQueue("scan").build());
      // The planted value is the target's name: it travels inside the start payload's bytes.
      WorkflowClient.start(
          run::run,
          new GatedWorkflow.Request(
              new RunbookRequest("orders-no-lock", "alice", false, Duration.ofHours(1))));
      List<String> hits = SecretScan.findSecrets(client, "scan-1", List.of("orders-no-lock"));
      assertTrue(
          hits.stream().anyMatch(h -> h.contains("WORKFLOW_EXECUTION_STARTED")), hits.toString());
      assertThrows(
          AssertionError.class,
          () -> SecretScan.assertNoSecrets(client, "scan-1", List.of("orders-no-lock")));
      assertEquals(
          List.of(), SecretScan.findSecrets(client, "scan-1", List.of("s3cr3t-never-sent")));
      WorkflowStub.fromTyped(run).terminate("done scanning");
    }
  }
}
