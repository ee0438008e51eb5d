package dev.runbooks.workflows.migration;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A rehearsal on a scratch copy: up, down in reverse, the schema compared with the one before, up
 * again.
 *
 * @param caughtUp the versions applied first to bring an older backup's copy to the target's
 *     current version
 * @param down empty when a pending migration is irreversible (then {@code rollbackProven} is false)
 * @param differences the schema after the down scripts against the one before, one line each; empty
 *     when rollback is proven
 * @param schemaHash SHA-256 of the normalised schema before the migrations
 * @param notes what the approver should weigh the timings with, such as a copy holding far fewer
 *     rows than the target; empty when there is nothing to say
 */
public record RehearsalResult(
    String source,
    List<String> caughtUp,
    List<VersionTiming> up,
    List<VersionTiming> down,
    List<VersionTiming> reUp,
    boolean rollbackProven,
    List<String> differences,
    String schemaHash,
    Duration duration,
    List<String> notes) {
  public RehearsalResult {
    Objects.requireNonNull(source, "source");
    caughtUp = List.copyOf(caughtUp);
    up = List.copyOf(up);
    down = List.copyOf(down);
    reUp = List.copyOf(reUp);
    differences = List.copyOf(differences);
    Objects.requireNonNull(schemaHash, "schemaHash");
    Objects.requireNonNull(duration, "duration");
    notes = notes == null ? List.of() : List.copyOf(notes);
  }

  /** This result with {@code more} notes for the approver. */
  public RehearsalResult withNotes(List<String> more) {
    if (more.isEmpty()) {
      return this;
    }
    List<String> all = new java.util.ArrayList<>(notes);
    all.addAll(more);
    return new RehearsalResult(
        source, caughtUp, up, down, reUp, rollbackProven, differences, schemaHash, duration, all);
  }

  /** An irreversible migration is pending: only up ran, so rollback cannot be proven. */
  public static RehearsalResult upOnly(
      String source,
      List<String> caughtUp,
      List<VersionTiming> up,
      String schemaHash,
      Duration duration) {
    return new RehearsalResult(
        source,
        caughtUp,
        up,
        List.of(),
        List.of(),
        false,
        List.of(),
        schemaHash,
        duration,
        List.of());
  }

  /** The down scripts ran but left a schema that differs from the one before. */
  public static RehearsalResult rollbackDiffers(
      String source,
      List<String> caughtUp,
      List<VersionTiming> up,
      List<VersionTiming> down,
      List<String> differences,
      String schemaHash,
      Duration duration) {
    return new RehearsalResult(
        source, caughtUp, up, down, List.of(), false, differences, schemaHash, duration, List.of());
  }

  /** Up, down back to the schema before, and up again: the rollback is proven. */
  public static RehearsalResult proven(
      String source,
      List<String> caughtUp,
      List<VersionTiming> up,
      List<VersionTiming> down,
      List<VersionTiming> reUp,
      String schemaHash,
      Duration duration) {
    return new RehearsalResult(
        source, caughtUp, up, down, reUp, true, List.of(), schemaHash, duration, List.of());
  }
}
