package dev.runbooks.workflows.check;

import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.Failures;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every check in order. When the primary cannot be reached the rest are skipped; a check that
 * fails to run becomes a critical finding instead of ending the report.
 */
public class CheckWorkflowImpl extends RunbookWorkflowBase implements CheckWorkflow {
  /** The change ID of the pooler check: runs recorded before it replay without it. */
  static final String POOLER_CHECK = "check-pooler";

  static final String POOLER = "pooler";

  public CheckWorkflowImpl() {
    super(RunbookKind.CHECK);
  }

  private record Check(
      String name, String summary, Functions.Func2<CheckActivities, CheckInput, Findings> call) {}

  static final List<Check> CHECKS =
      List.of(
          new Check(
              "connectivity", "connect and read the version", CheckActivities::checkConnectivity),
          new Check("privileges", "admin role's privileges", CheckActivities::checkPrivileges),
          new Check("database-size", "database size", CheckActivities::checkDatabaseSize),
          new Check("replicas", "replicas' state and lag", CheckActivities::checkReplicas),
          new Check(POOLER, "the pooler in front of the primary", CheckActivities::checkPooler),
          new Check(
              "long-transactions",
              "long-open transactions",
              CheckActivities::checkLongTransactions),
          new Check(
              "lock-chains", "blocked and blocking sessions", CheckActivities::checkLockChains),
          new Check("connections", "connections in use", CheckActivities::checkConnections),
          new Check("slow-statements", "slowest statements", CheckActivities::checkSlowStatements));

  /** The plan, for the static details the Temporal UI shows. */
  public static List<String> stepNames() {
    return CHECKS.stream().map(Check::name).toList();
  }

  @Override
  public CheckResult run(CheckRequest request) {
    boolean pooler = Workflow.getVersion(POOLER_CHECK, Workflow.DEFAULT_VERSION, 1) >= 1;
    List<Check> checks = CHECKS.stream().filter(c -> pooler || !c.name().equals(POOLER)).toList();
    runbook =
        new Runbook(
            RunbookKind.CHECK, request.runbook(), checks.stream().map(Check::name).toList());
    String target = request.runbook().target();
    CheckInput input = new CheckInput(target, request.longTransaction());
    return runbook.run(
        () -> {
          List<Finding> findings = new ArrayList<>();
          for (Check check : checks) {
            if (!findings.isEmpty() && findings.get(0).severity() == Severity.CRITICAL) {
              runbook.skip(check.name(), "primary not reachable");
              continue;
            }
            findings.addAll(runCheck(check, target, input));
          }
          CheckResult result = new CheckResult(target, findings);
          long critical = findings.stream().filter(f -> f.severity() == Severity.CRITICAL).count();
          if (critical > 0) {
            runbook.conclude(
                Outcome.FAILED,
                critical + " critical finding" + (critical == 1 ? "" : "s") + " on " + target);
          } else {
            long warnings = findings.stream().filter(f -> f.severity() == Severity.WARN).count();
            runbook.conclude(Outcome.SUCCEEDED, warnings + " warning(s), no critical finding");
          }
          return result;
        });
  }

  private List<Finding> runCheck(Check check, String target, CheckInput input) {
    CheckActivities activities =
        Workflow.newActivityStub(
            CheckActivities.class,
            ActivityProfiles.withSummary(
                ActivityProfiles.HEALTH_CHECK, check.summary() + " of " + target));
    try {
      return runbook
          .step(
              check.name(),
              () -> check.call().apply(activities, input),
              CheckWorkflowImpl::summarize)
          .findings();
    } catch (ActivityFailure e) {
      if (check.name().equals("connectivity")) {
        throw e;
      }
      return List.of(
          new Finding(
              check.name(),
              Severity.CRITICAL,
              "the check could not run: " + Failures.describe(e),
              "fix the cause above and run the check again",
              List.of()));
    }
  }

  /** A step's one-line detail: the worst finding, and how many more there are. */
  static String summarize(Findings findings) {
    Finding worst = null;
    for (Finding f : findings.findings()) {
      if (worst == null || f.severity().compareTo(worst.severity()) > 0) {
        worst = f;
      }
    }
    if (worst == null) {
      return "nothing to report";
    }
    int more = findings.findings().size() - 1;
    return worst.severity() + " " + worst.summary() + (more > 0 ? " (+" + more + " more)" : "");
  }
}
