package dev.runbooks.workflows.migration;

import java.util.List;

/** The versions applied, in order, each with its duration and lock wait. */
public record ApplyResult(List<VersionTiming> applied) {
  public ApplyResult {
    applied = List.copyOf(applied);
  }
}
