package dev.runbooks.workflows.check;

import java.util.List;
import java.util.Objects;

/**
 * One thing a check found.
 *
 * @param check the check that found it (connectivity, privileges, ...)
 * @param summary one line: what was found
 * @param advice one line: what the operator can do; empty when nothing is needed
 * @param details further lines (a lock chain's sessions and queries, the slowest statements)
 */
public record Finding(
    String check, Severity severity, String summary, String advice, List<String> details) {
  public Finding {
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(summary, "summary");
    advice = advice == null ? "" : advice;
    details = details == null ? List.of() : List.copyOf(details);
  }

  public static Finding ok(String check, String summary) {
    return new Finding(check, Severity.OK, summary, "", List.of());
  }
}
