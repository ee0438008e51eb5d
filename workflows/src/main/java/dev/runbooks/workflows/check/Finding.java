package dev.runbooks.workflows.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One thing a check found.
 *
 * @param check the check that found it (connectivity, privileges, ...)
 * @param summary one line: what was found
 * @param advice one line: what the operator can do; empty when nothing is needed
 * @param details further lines (a lock chain's sessions and queries, the slowest statements)
 * @param figures what the check measured, as numbers; empty in runs recorded before checks kept
 *     them
 */
public record Finding(
    String check,
    Severity severity,
    String summary,
    String advice,
    List<String> details,
    List<Figure> figures) {
  public Finding {
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(summary, "summary");
    advice = advice == null ? "" : advice;
    details = details == null ? List.of() : List.copyOf(details);
    figures = figures == null ? List.of() : List.copyOf(figures);
  }

  /** A finding without figures. */
  public Finding(
      String check, Severity severity, String summary, String advice, List<String> details) {
    this(check, severity, summary, advice, details, List.of());
  }

  /** This finding with {@code more} figures. */
  public Finding withFigures(List<Figure> more) {
    List<Figure> all = new ArrayList<>(figures);
    all.addAll(more);
    return new Finding(check, severity, summary, advice, details, all);
  }

  public static Finding ok(String check, String summary) {
    return new Finding(check, Severity.OK, summary, "", List.of());
  }
}
