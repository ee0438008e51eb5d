package dev.runbooks.workflows;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** Assertions on the plans the Temporal UI shows. */
public final class PlanTexts {
  /** The plan has a line {@code N. step: } for every step, numbered in the workflow's order. */
  public static void assertEveryStepNumbered(List<String> steps, String plan) {
    for (int i = 0; i < steps.size(); i++) {
      String line = "\n" + (i + 1) + ". " + steps.get(i) + ": ";
      assertTrue(plan.contains(line), "no line \"" + line.strip() + "\" in the plan:\n" + plan);
    }
  }

  private PlanTexts() {}
}
