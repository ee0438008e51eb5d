package dev.runbooks.workflows.check;

import java.util.List;

/** What one check activity returns. */
public record Findings(List<Finding> findings) {
  public Findings {
    findings = List.copyOf(findings);
  }

  public static Findings of(Finding... findings) {
    return new Findings(List.of(findings));
  }
}
