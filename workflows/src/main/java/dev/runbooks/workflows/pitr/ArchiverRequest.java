package dev.runbooks.workflows.pitr;

import java.util.List;
import java.util.Objects;

/**
 * Starts (or continues, after a continue-as-new) a target's WAL archiver.
 *
 * @param initiator who started it
 * @param sessions sessions run by earlier runs of this archiver (carried across continue-as-new)
 * @param gaps gaps found so far, newest last (at most {@link WalArchiverWorkflow#GAPS_KEPT})
 */
public record ArchiverRequest(String target, String initiator, long sessions, List<String> gaps) {
  public ArchiverRequest {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(initiator, "initiator");
    gaps = List.copyOf(gaps);
  }

  public static ArchiverRequest start(String target, String initiator) {
    return new ArchiverRequest(target, initiator, 0, List.of());
  }
}
