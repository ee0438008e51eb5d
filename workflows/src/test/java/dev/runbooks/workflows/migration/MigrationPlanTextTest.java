package dev.runbooks.workflows.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.PlanTexts;
import dev.runbooks.workflows.shared.RunbookRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The migration plan the Temporal UI shows is written from the workflow's own steps. */
class MigrationPlanTextTest {
  private static MigrationRequest request(boolean autoApprove) {
    return new MigrationRequest(
        new RunbookRequest("orders", "alice", true, Duration.ofHours(2)),
        "3",
        autoApprove,
        Duration.ofSeconds(5),
        Duration.ofMinutes(30));
  }

  @Test
  void thePlanHasOneNumberedLinePerStepAndListsTheMigrationsOnDisk() {
    String plan =
        MigrationPlanText.markdown(
            request(false),
            "db1:5432/orders",
            MigrationPlanText.OnDisk.read(
                "/srv/migrations",
                List.of(
                    new MigrationPlanText.Script("V1__a.sql", "U1__a.sql", false, null),
                    new MigrationPlanText.Script("V2__b.sql", null, true, "V2__b.verify.sql"),
                    new MigrationPlanText.Script("V3__c.sql", null, false, null))));
    PlanTexts.assertEveryStepNumbered(MigrationWorkflowImpl.STEPS, plan);
    assertTrue(
        plan.contains(
            "4. approve: waits for `runbook approve ID` from someone other than alice"
                + " (aborts after 2h00m)"),
        plan);
    assertTrue(plan.contains("lock_timeout 5.0s, statement_timeout 30m00s"), plan);
    assertTrue(plan.contains("- `V1__a.sql` (down: `U1__a.sql`)\n"), plan);
    assertTrue(plan.contains("- `V2__b.sql` (irreversible) (verify: `V2__b.verify.sql`)\n"), plan);
    assertTrue(plan.contains("- `V3__c.sql` (NO down script)\n"), plan);
    assertEquals("migrate orders -> V3", MigrationPlanText.summary(request(false)));
  }

  @Test
  void anAutoApprovedPlanSaysSoAndAnUnreadableDirectoryIsNamed() {
    String plan =
        MigrationPlanText.markdown(
            request(true),
            "db1:5432/orders",
            MigrationPlanText.OnDisk.unreadable("/srv/migrations", "no such directory"));
    assertTrue(plan.contains("4. approve: skipped (--auto-approve, non-production target)"), plan);
    assertTrue(plan.contains("could not be read here: no such directory"), plan);
  }
}
