package dev.runbooks.workflows.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.PlanTexts;
import dev.runbooks.workflows.shared.RunbookRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The rotation plan the Temporal UI shows is written from the workflow's own steps. */
class RotationPlanTest {
  private static RotationRequest request(RotationStrategy strategy) {
    return new RotationRequest(
        new RunbookRequest("orders", "alice", false, Duration.ofHours(1)),
        "orders_app",
        strategy,
        Duration.ofMinutes(15));
  }

  @Test
  void bothStrategiesNumberEveryStepAndOnlySingleWarns() {
    for (RotationStrategy strategy : RotationStrategy.values()) {
      String plan = RotationPlan.markdown(request(strategy), "db1:5432/orders");
      PlanTexts.assertEveryStepNumbered(RotationWorkflowImpl.STEPS, plan);
      assertEquals(strategy == RotationStrategy.SINGLE, plan.contains("**Warning:**"), plan);
    }
    String alternating = RotationPlan.markdown(request(RotationStrategy.ALTERNATING), "db1");
    assertTrue(alternating.contains("4. grace: 15m00s for clients"), alternating);
    assertTrue(alternating.contains("`orders_app_a` and `orders_app_b`"), alternating);
    assertFalse(alternating.contains("skipped"), alternating);
    assertEquals(
        "rotate orders_app on orders (alternating) -> db/orders/roles/orders_app",
        RotationPlan.summary(request(RotationStrategy.ALTERNATING)));
  }
}
