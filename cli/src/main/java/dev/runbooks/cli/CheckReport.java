package dev.runbooks.cli;

import dev.runbooks.workflows.check.CheckResult;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Severity;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The check runbook's report, as text for people or JSON for scripts. */
final class CheckReport {
  private CheckReport() {}

  static void printText(CheckResult result, String where, PrintWriter out) {
    long warnings = count(result, Severity.WARN);
    long critical = count(result, Severity.CRITICAL);
    out.println();
    out.println(
        "Check of "
            + result.target()
            + (where == null ? "" : " (" + where + ")")
            + ": "
            + critical
            + " critical, "
            + warnings
            + " warning"
            + (warnings == 1 ? "" : "s")
            + ", "
            + result.findings().size()
            + " finding"
            + (result.findings().size() == 1 ? "" : "s"));
    for (Finding finding : result.findings()) {
      out.println(
          "  "
              + Text.pad("[" + finding.severity() + "]", 11)
              + Text.pad(finding.check(), 18)
              + finding.summary());
      if (!finding.advice().isEmpty()) {
        out.println(" ".repeat(13) + "advice: " + finding.advice());
      }
      for (String detail : finding.details()) {
        out.println(" ".repeat(15) + detail);
      }
    }
  }

  static Map<String, Object> json(CheckResult result, RunState end) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("workflowId", end.workflowId());
    json.put("target", result == null ? end.target() : result.target());
    json.put("outcome", end.outcome());
    json.put("exitCode", exitCode(result, end));
    json.put("worst", result == null ? null : result.worst());
    json.put("findings", result == null ? List.of() : result.findings());
    json.put("steps", end.progress() == null ? List.of() : end.progress().steps());
    return json;
  }

  /** The run's exit code, and 1 whenever the report holds a critical finding. */
  static int exitCode(CheckResult result, RunState end) {
    if (result != null && result.worst() == Severity.CRITICAL) {
      return Math.max(ExitCodes.RUNBOOK_FAILED, end.exitCode());
    }
    return end.exitCode();
  }

  private static long count(CheckResult result, Severity severity) {
    return result.findings().stream().filter(f -> f.severity() == severity).count();
  }
}
