package dev.runbooks.workflows.check;

import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.Runbook;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The preflight every other runbook starts with: the check runbook's connectivity and privilege
 * checks, as one step. A critical finding stops the run before it changes anything.
 */
public final class Preflight {
  public static final String STEP = "preflight";

  public static void run(Runbook runbook) {
    String target = runbook.target();
    CheckActivities checks =
        Workflow.newActivityStub(
            CheckActivities.class,
            ActivityProfiles.withSummary(ActivityProfiles.HEALTH_CHECK, "preflight of " + target));
    CheckInput input = new CheckInput(target, Duration.ofMinutes(5));
    runbook.step(
        STEP,
        () -> {
          List<Finding> findings = new ArrayList<>(checks.checkConnectivity(input).findings());
          if (findings.stream().noneMatch(f -> f.severity() == Severity.CRITICAL)) {
            findings.addAll(checks.checkPrivileges(input).findings());
          }
          List<String> critical =
              findings.stream()
                  .filter(f -> f.severity() == Severity.CRITICAL)
                  .map(f -> f.summary() + (f.advice().isEmpty() ? "" : " (" + f.advice() + ")"))
                  .toList();
          if (!critical.isEmpty()) {
            throw FailureType.PREFLIGHT_FAILED.failure(
                "preflight of "
                    + target
                    + " failed, nothing was changed: "
                    + String.join("; ", critical));
          }
          return detail(findings);
        },
        detail -> detail);
  }

  /**
   * The step's detail: the worst finding, led by the connectivity finding when that is not the
   * worst, so that the primary the run resolved (and how) is always in the run's first step.
   */
  static String detail(List<Finding> findings) {
    String worst = CheckWorkflowImpl.summarize(new Findings(findings));
    if (findings.isEmpty() || worst.contains(findings.get(0).summary())) {
      return worst;
    }
    return findings.get(0).summary() + "; " + worst;
  }

  private Preflight() {}
}
