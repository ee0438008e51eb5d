package dev.runbooks.cli;

import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.RunbookWorkflow;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.ArrayList;
import java.util.List;

/**
 * A runbook in test code whose every detail is 1,000 characters long and whose step list is taller
 * than a small terminal: what a live view must fit to the screen. It waits at a gate until
 * approved.
 */
@WorkflowInterface
public interface WideDetailsWorkflow extends RunbookWorkflow {
  int DETAIL = 1000;
  int CHECKS = 30;

  @WorkflowMethod
  String run(RunbookRequest request);

  /** {@code DETAIL} characters that begin with {@code start}. */
  static String wide(String start) {
    StringBuilder text = new StringBuilder(start);
    while (text.length() < DETAIL) {
      text.append(" and then some more words");
    }
    return text.substring(0, DETAIL);
  }

  class Impl extends RunbookWorkflowBase implements WideDetailsWorkflow {
    public Impl() {
      super(RunbookKind.MIGRATE);
    }

    @Override
    public String run(RunbookRequest request) {
      List<String> steps = new ArrayList<>(List.of("preflight"));
      for (int i = 1; i <= CHECKS; i++) {
        steps.add(String.format("check-%02d", i));
      }
      steps.add("gate");
      steps.add("apply");
      runbook = new Runbook(RunbookKind.MIGRATE, request, steps);
      return runbook.run(
          () -> {
            runbook.step("preflight", () -> {}, wide("preflight found"));
            for (int i = 1; i <= CHECKS; i++) {
              runbook.step(String.format("check-%02d", i), () -> {}, wide("check " + i + " saw"));
            }
            runbook.awaitApproval("gate", wide("the plan is"));
            runbook.step("apply", () -> {}, wide("applied"));
            return "done";
          });
    }
  }
}
