package dev.runbooks.workflows.pitr;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The archiver as its workflow sees it.
 *
 * @param state {@code STREAMING}, {@code RETRYING} (the last session failed; the slot holds the WAL
 *     meanwhile), {@code STOPPING} or {@code STOPPED}
 * @param since when the state began
 * @param last the last session that ended normally; null before the first
 * @param problem the last failed session's message until a session ends well; empty otherwise
 * @param gaps the gaps found, newest last
 */
public record ArchiverStatus(
    String target,
    String state,
    Instant since,
    long sessions,
    ArchiveSession last,
    String problem,
    List<String> gaps) {
  public ArchiverStatus {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(since, "since");
    problem = problem == null ? "" : problem;
    gaps = List.copyOf(gaps);
  }
}
