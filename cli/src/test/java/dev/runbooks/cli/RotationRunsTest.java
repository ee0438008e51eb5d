package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.rotation.RotationRequest;
import dev.runbooks.workflows.rotation.RotationStrategy;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a rotation is prepared for the command and for schedules, without a server. */
class RotationRunsTest {
  @TempDir static Path dir;
  private static RunbooksConfig config;

  @BeforeAll
  static void config() throws Exception {
    config =
        ConfigLoader.load(
            Files.writeString(
                dir.resolve("runbooks.yaml"),
                "targets:\n"
                    + "  orders:\n"
                    + "    primary: { host: db1, port: 5432, database: orders }\n"
                    + "    admin: { secret: db/orders/admin }\n"),
            Map.of());
  }

  @Test
  void alternatingIsPlannedWithTheLoginPairTheGraceAndTheSecretPath() {
    RunbookStarter.Launch launch =
        new RotationRuns(config, "alice")
            .rotate("orders", "orders_app", RotationStrategy.ALTERNATING, null, null);

    RotationRequest request = (RotationRequest) launch.request();
    assertEquals("orders_app", request.role());
    assertEquals(RotationRuns.DEFAULT_GRACE, request.grace());
    assertEquals(RunbookKind.ROTATE, launch.plan().kind());
    assertEquals("RotationWorkflow", launch.workflowType());
    assertEquals(
        "rotate orders_app on orders (alternating) -> db/orders/roles/orders_app",
        launch.plan().summary());
    String plan = launch.plan().details();
    assertTrue(plan.contains("`orders_app_a` and `orders_app_b`"), plan);
    assertTrue(plan.contains("4. grace: 15m00s"), plan);
    assertFalse(plan.contains("Warning"), plan);
  }

  @Test
  void singleWarnsThatNewLoginsWithTheOldPasswordFail() {
    RunbookStarter.Launch launch =
        new RotationRuns(config, "alice")
            .rotate("orders", "report_job", RotationStrategy.SINGLE, Duration.ofMinutes(1), null);
    assertTrue(
        launch.plan().details().contains("new logins with the old password FAIL"),
        launch.plan().details());
  }

  @Test
  void aRoleNameThatNeedsQuotingIsAUsageError() {
    UsageException e =
        assertThrows(
            UsageException.class,
            () ->
                new RotationRuns(config, "alice")
                    .rotate("orders", "App-Role", RotationStrategy.ALTERNATING, null, null));
    assertTrue(e.getMessage().contains("--role App-Role"), e.getMessage());
  }

  @Test
  void aScheduledRotationStartsTheRotationWorkflowWithTheScheduleAsInitiator() {
    RunbookSchedule schedule =
        new RunbookSchedule(
            "monthly-app",
            RunbookKind.ROTATE,
            "orders",
            RunbookSchedule.checkCron("@monthly"),
            Duration.ZERO,
            RunbookSchedule.DEFAULT_CATCHUP_WINDOW,
            "alice",
            new RotationRuns(config, RunbookSchedule.initiator("monthly-app"))
                .rotate("orders", "orders_app", RotationStrategy.ALTERNATING, null, null),
            null);
    ScheduleActionStartWorkflow action =
        (ScheduleActionStartWorkflow) schedule.schedule("runbooks").getAction();
    assertEquals("RotationWorkflow", action.getWorkflowType());
    assertEquals("rotate-orders", action.getOptions().getWorkflowId());
    assertEquals(
        "rotate", action.getOptions().getTypedSearchAttributes().get(RunbookSearchAttributes.KIND));
    RotationRequest request = action.getArguments().get(0, RotationRequest.class);
    assertEquals("schedule:monthly-app", request.runbook().initiator());
    assertEquals("orders_app", request.role());
    assertTrue(RunbookSchedule.SCHEDULABLE.contains(RunbookKind.ROTATE));
  }
}
