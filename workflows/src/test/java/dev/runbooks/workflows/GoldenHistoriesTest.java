package dev.runbooks.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runbooks.workflows.check.CheckRequest;
import dev.runbooks.workflows.check.CheckWorkflow;
import dev.runbooks.workflows.check.CheckWorkflowImpl;
import dev.runbooks.workflows.check.FakeCheckActivities;
import dev.runbooks.workflows.shared.RunbookRequest;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The golden-history tests can fail in an ordinary build: their scenarios run every time. */
class GoldenHistoriesTest {
  @Test
  void aScenarioRunsWithItsAssertionsInEveryBuildNotOnlyWhenHistoriesAreRecorded() {
    AtomicInteger runs = new AtomicInteger();
    AssertionError failed =
        assertThrows(
            AssertionError.class,
            () ->
                GoldenHistories.replay(
                    "check-healthy",
                    worker -> {
                      worker.registerWorkflowImplementationTypes(CheckWorkflowImpl.class);
                      worker.registerActivitiesImplementations(new FakeCheckActivities());
                    },
                    client -> {
                      client
                          .newWorkflowStub(
                              CheckWorkflow.class,
                              WorkflowOptions.newBuilder()
                                  .setWorkflowId("check-healthy")
                                  .setTaskQueue(GoldenHistories.QUEUE)
                                  .build())
                          .run(
                              new CheckRequest(
                                  new RunbookRequest("orders", "alice", false, Duration.ofHours(1)),
                                  Duration.ofMinutes(5)));
                      runs.incrementAndGet();
                      throw new AssertionError("a scenario's assertion that does not hold");
                    },
                    CheckWorkflowImpl.class));
    assertEquals("a scenario's assertion that does not hold", failed.getMessage());
    assertEquals(1, runs.get());
  }
}
