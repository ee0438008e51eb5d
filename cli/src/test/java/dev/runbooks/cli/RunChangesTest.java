package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runbooks.workflows.failover.FailoverResult;
import dev.runbooks.workflows.failover.Publication;
import dev.runbooks.workflows.migration.MigrationPlan;
import dev.runbooks.workflows.migration.MigrationResult;
import dev.runbooks.workflows.migration.VersionTiming;
import dev.runbooks.workflows.rotation.RotationResult;
import dev.runbooks.workflows.rotation.RotationStrategy;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.WorkflowExecutionCanceledEventAttributes;
import io.temporal.api.history.v1.WorkflowExecutionCompletedEventAttributes;
import io.temporal.api.history.v1.WorkflowExecutionFailedEventAttributes;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code runbook audit} says each kind of run changed, from the run's close event. */
class RunChangesTest {
  private static final DataConverter CONVERTER = DefaultDataConverter.STANDARD_INSTANCE;

  @Test
  void aMigrationNamesTheVersionsItApplied() {
    MigrationPlan plan = new MigrationPlan("orders", "1", List.of(), List.of(), false, List.of());
    MigrationResult applied =
        new MigrationResult(
            "orders",
            "1",
            "3",
            List.of(
                new VersionTiming("2", Duration.ofSeconds(1), Duration.ZERO),
                new VersionTiming("3", Duration.ofSeconds(2), Duration.ZERO)),
            plan,
            null,
            "20261203T020000Z-abcd",
            "not needed");
    assertEquals("applied V2, V3 (version 1 -> 3)", changed(applied, "migrate"));
    assertEquals(
        "nothing applied, at version 1", changed(MigrationResult.nothingPending(plan), "migrate"));
  }

  @Test
  void aRotationNamesItsRoleAndAFailoverItsNewPrimary() {
    RotationResult rotation =
        new RotationResult(
            "app",
            RotationStrategy.values()[0],
            "db/orders/app",
            "app_b",
            4,
            3,
            "app_a",
            null,
            0,
            Duration.ofSeconds(2),
            Duration.ZERO);
    assertEquals("role app: login app_b, secret version 4", changed(rotation, "rotate"));
    FailoverResult failover =
        new FailoverResult(
            "orders",
            true,
            "db1",
            "stopped",
            "db2",
            3,
            "0/3000000",
            "0/3000000",
            0L,
            Duration.ofMillis(800),
            List.of(),
            List.of(),
            new Publication("endpoints/orders", 2, "db2:5432", ""),
            List.of(),
            List.of(),
            null,
            null);
    assertEquals("new primary db2 (timeline 3)", changed(failover, "failover"));
  }

  @Test
  void aRolledBackRunSaysWhatItsRollbackUndid() {
    HistoryEvent failed =
        HistoryEvent.newBuilder()
            .setEventType(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED)
            .setWorkflowExecutionFailedEventAttributes(
                WorkflowExecutionFailedEventAttributes.newBuilder()
                    .setFailure(
                        Failure.newBuilder()
                            .setMessage(
                                "verify: column missing; rolled back 1 step: applied then undid"
                                    + " V3, V2 (newest first)")))
            .build();
    assertEquals(
        "rolled back 1 step: applied then undid V3, V2 (newest first)",
        RunChanges.of(failed, "migrate", CONVERTER));
  }

  @Test
  void anAbortedRunOrAResultOfAnotherShapeSaysNothing() {
    HistoryEvent canceled =
        HistoryEvent.newBuilder()
            .setEventType(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED)
            .setWorkflowExecutionCanceledEventAttributes(
                WorkflowExecutionCanceledEventAttributes.getDefaultInstance())
            .build();
    assertEquals("", RunChanges.of(canceled, "migrate", CONVERTER));
    assertEquals("", changed("done", "migrate"));
    assertEquals("", RunChanges.of(null, "backup", CONVERTER));
  }

  private static String changed(Object result, String kind) {
    HistoryEvent completed =
        HistoryEvent.newBuilder()
            .setEventType(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
            .setWorkflowExecutionCompletedEventAttributes(
                WorkflowExecutionCompletedEventAttributes.newBuilder()
                    .setResult(CONVERTER.toPayloads(result).orElseThrow()))
            .build();
    return RunChanges.of(completed, kind, CONVERTER);
  }
}
