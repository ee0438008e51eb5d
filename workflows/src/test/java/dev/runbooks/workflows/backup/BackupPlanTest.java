package dev.runbooks.workflows.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.PlanTexts;
import dev.runbooks.workflows.shared.RunbookRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The backup family's plans the Temporal UI shows are written from each workflow's own steps. */
class BackupPlanTest {
  private static final RunbookRequest RUN =
      new RunbookRequest("orders", "alice", false, Duration.ofHours(1));

  @Test
  void theBackupPlanFollowsTheBackupSteps() {
    String plan =
        BackupPlan.backup(
            new BackupRequest(RUN, false, null), "db1:5432/orders", "file:///b", "local-keyset:k");
    PlanTexts.assertEveryStepNumbered(BackupWorkflowImpl.STEPS, plan);
    assertTrue(plan.startsWith("**Backup** of `orders` (db1:5432/orders) into `file:///b`"), plan);
    assertTrue(plan.contains("envelope encryption (local-keyset:k)"), plan);
    assertTrue(plan.contains("3. verify: skipped (--no-verify)\n"), plan);
    assertEquals(
        "backup orders -> file:///b",
        BackupPlan.backupSummary(new BackupRequest(RUN, true, null), "file:///b"));
  }

  @Test
  void theDrillAndRestorePlansFollowTheirSteps() {
    DrillRequest drill = new DrillRequest(RUN, null);
    String plan = BackupPlan.drill(drill, "file:///b", "db1:5432");
    PlanTexts.assertEveryStepNumbered(RestoreDrillWorkflowImpl.STEPS, plan);
    assertTrue(plan.contains("scratch database named after this run on db1:5432\n"), plan);
    assertEquals(
        "restore-drill orders <- file:///b (newest)", BackupPlan.drillSummary(drill, "file:///b"));

    RestoreRequest restore = new RestoreRequest(RUN, "20261124T020000Z-ab12", "orders_back");
    plan = BackupPlan.restore(restore, "file:///b", "db1:5432", "orders");
    PlanTexts.assertEveryStepNumbered(RestoreWorkflowImpl.STEPS, plan);
    assertTrue(plan.contains("refused when `orders_back` exists"), plan);
    assertTrue(plan.contains("The target's own database `orders` is never touched"), plan);
    assertEquals(
        "restore orders 20261124T020000Z-ab12 -> orders_back @ db1:5432/orders",
        BackupPlan.restoreSummary(restore, "db1:5432/orders"));
  }
}
