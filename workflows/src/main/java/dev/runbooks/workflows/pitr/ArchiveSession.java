package dev.runbooks.workflows.pitr;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one archiving session did.
 *
 * @param primary the member the WAL was streamed from
 * @param timeline the timeline at the session's end
 * @param archivedTo the archive's end at the session's end ({@code 0/5000000})
 * @param segments complete segments stored by this session
 * @param gaps the gaps this session found, each saying where and why (empty when none)
 * @param warnings what an operator should know (a slot that had to be re-created)
 */
public record ArchiveSession(
    String target,
    String primary,
    int timeline,
    String archivedTo,
    long segments,
    Instant endedAt,
    List<String> gaps,
    List<String> warnings) {
  public ArchiveSession {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(archivedTo, "archivedTo");
    Objects.requireNonNull(endedAt, "endedAt");
    gaps = List.copyOf(gaps);
    warnings = List.copyOf(warnings);
  }
}
