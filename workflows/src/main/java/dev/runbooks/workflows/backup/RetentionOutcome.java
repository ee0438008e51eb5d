package dev.runbooks.workflows.backup;

import java.util.List;

/** What retention deleted and what it kept, each with the rule that decided. */
public record RetentionOutcome(List<String> deleted, List<String> kept) {
  public RetentionOutcome {
    deleted = List.copyOf(deleted);
    kept = List.copyOf(kept);
  }
}
