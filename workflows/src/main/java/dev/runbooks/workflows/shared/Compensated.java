package dev.runbooks.workflows.shared;

import java.util.List;

/**
 * What compensation did when a run failed or was aborted: the outcome as a value, so the run's end
 * is decided from it rather than from its wording.
 *
 * @param undone the steps whose rollback ran, in the order they were undone
 * @param cleanedUp the steps tidied up after (a scratch copy dropped), which changed nothing the
 *     run set out to change
 * @param failed the rollbacks and cleanups that failed, each as {@code step (why)}
 * @param notes what the rollbacks said they did, such as the versions undone
 */
public record Compensated(
    List<String> undone, List<String> cleanedUp, List<String> failed, List<String> notes) {
  /** Nothing was registered, so nothing ran. */
  public static final Compensated NOTHING = new Compensated(List.of(), List.of(), List.of());

  public Compensated {
    undone = List.copyOf(undone);
    cleanedUp = List.copyOf(cleanedUp);
    failed = List.copyOf(failed);
    notes = List.copyOf(notes);
  }

  public Compensated(List<String> undone, List<String> cleanedUp, List<String> failed) {
    this(undone, cleanedUp, failed, List.of());
  }

  /** A rollback or cleanup failed: the target may be half-changed. */
  public boolean rollbackFailed() {
    return !failed.isEmpty();
  }

  /** At least one step was rolled back and nothing failed: the run ends ROLLED_BACK. */
  public boolean rolledBack() {
    return !undone.isEmpty() && failed.isEmpty();
  }

  /** The suffix of the outcome's detail: "; rolled back 2 steps", "; rollback FAILED for ...". */
  public String detail() {
    if (undone.isEmpty() && cleanedUp.isEmpty() && failed.isEmpty()) {
      return "";
    }
    if (rollbackFailed()) {
      return "; rollback FAILED for " + String.join(", ", failed);
    }
    int count = undone.size();
    String said = notes.isEmpty() ? "" : ": " + String.join("; ", notes);
    return (count == 0
            ? "; cleaned up"
            : "; rolled back " + count + " step" + (count == 1 ? "" : "s"))
        + said;
  }
}
