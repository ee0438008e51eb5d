package dev.runbooks.workflows.check;

import java.util.List;
import java.util.Objects;

/** The check report: every finding, in the order the checks ran, and the worst severity. */
public record CheckResult(String target, List<Finding> findings) {
  public CheckResult {
    Objects.requireNonNull(target, "target");
    findings = List.copyOf(findings);
  }

  /** Every figure the checks measured, in the order of their findings. */
  public List<Figure> figures() {
    return findings.stream().flatMap(f -> f.figures().stream()).toList();
  }

  public Severity worst() {
    Severity worst = Severity.OK;
    for (Finding f : findings) {
      if (f.severity().compareTo(worst) > 0) {
        worst = f.severity();
      }
    }
    return worst;
  }
}
