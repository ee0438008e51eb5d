package dev.runbooks.workflows.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.PlanTexts;
import dev.runbooks.workflows.shared.RunbookRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The failover plan the Temporal UI shows is written from the workflow's own steps. */
class FailoverPlanTest {
  private static final FailoverSettings SETTINGS =
      new FailoverSettings(true, Duration.ofSeconds(60), 1024, "notify.sh orders");

  private static FailoverRequest request(boolean force) {
    return new FailoverRequest(
        new RunbookRequest("orders", "alice", false, Duration.ofHours(1)),
        "db2",
        null,
        force,
        true);
  }

  private static String plan(boolean force) {
    return FailoverPlan.markdown(
        request(force),
        "db1:5432/orders",
        List.of(new FailoverPlan.Replica("db2", "db2:5432")),
        SETTINGS,
        "db/orders/endpoint");
  }

  @Test
  void thePlanHasOneNumberedLinePerStepInTheWorkflowsOrder() {
    String plan = plan(false);
    PlanTexts.assertEveryStepNumbered(FailoverWorkflowImpl.STEPS, plan);
    assertTrue(plan.startsWith("**Planned switchover** of `orders` (primary db1:5432/orders)"));
    assertTrue(plan.contains("the candidate must lag at most 1024 bytes"), plan);
    assertTrue(plan.contains("at most 1m00s"), plan);
    assertTrue(plan.contains("`db/orders/endpoint` in the secret store, then the hook"), plan);
    assertTrue(plan.contains("9. rejoin: pg_rewind where possible, else the manual steps"), plan);
    assertEquals("switchover orders -> db2", FailoverPlan.summary(request(false)));
  }

  @Test
  void anUnplannedFailoverSkipsFencingAndCatchUp() {
    String plan = plan(true);
    assertTrue(plan.startsWith("**Unplanned failover**"), plan);
    assertTrue(plan.contains("3. fence: skipped, the primary is down\n"), plan);
    assertTrue(plan.contains("4. catch-up: skipped, the primary is down\n"), plan);
    assertTrue(plan.contains("the possible data loss is reported"), plan);
    assertEquals("failover --force orders -> db2", FailoverPlan.summary(request(true)));
  }
}
