package dev.runbooks.workflows.migration;

import java.util.List;

/** The checks verification made, each one line, all passed. */
public record VerifyResult(List<String> checks) {
  public VerifyResult {
    checks = List.copyOf(checks);
  }
}
