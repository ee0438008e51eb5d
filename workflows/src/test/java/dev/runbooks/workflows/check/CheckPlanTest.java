package dev.runbooks.workflows.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.shared.RunbookRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The check plan the Temporal UI shows lists the workflow's own checks, in order. */
class CheckPlanTest {
  @Test
  void thePlanListsEveryCheckInTheOrderTheRunTakes() {
    CheckRequest request =
        new CheckRequest(
            new RunbookRequest("orders", "alice", false, Duration.ofHours(1)),
            Duration.ofMinutes(5));
    String plan = CheckPlan.markdown(request, "db1:5432/orders", List.of());
    List<String> steps = CheckWorkflowImpl.stepNames();
    for (int i = 0; i < steps.size(); i++) {
      assertTrue(plan.contains("\n" + (i + 1) + ". " + steps.get(i) + "\n"), steps.get(i) + plan);
    }
    assertTrue(
        plan.contains("Replicas: none configured. Long transactions: open longer than" + " 5m00s."),
        plan);
    assertEquals("check orders @ db1:5432/orders", CheckPlan.summary(request, "db1:5432/orders"));
  }
}
