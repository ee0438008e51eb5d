package dev.runbooks.workflows.pitr;

import java.util.List;

/**
 * What physical retention did: the base backups deleted and kept (with the rule that kept each),
 * and the WAL it deleted because no kept base backup needs it.
 *
 * @param walKeptFrom the first WAL segment kept, or empty when the archive holds none
 */
public record PitrRetentionOutcome(
    List<String> deleted, List<String> kept, int walObjectsDeleted, String walKeptFrom) {
  public PitrRetentionOutcome {
    deleted = List.copyOf(deleted);
    kept = List.copyOf(kept);
  }
}
