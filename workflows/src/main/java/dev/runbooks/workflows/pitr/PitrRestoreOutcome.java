package dev.runbooks.workflows.pitr;

import java.time.Duration;
import java.util.Objects;

/**
 * A finished point-in-time restore: the cluster runs, promoted, on the worker's host.
 *
 * @param duration fetch, decryption, recovery and promotion together
 */
public record PitrRestoreOutcome(
    String backupId,
    String intoCluster,
    int port,
    PitrPoint reached,
    Duration duration,
    int walFiles,
    long bytes) {
  public PitrRestoreOutcome {
    Objects.requireNonNull(backupId, "backupId");
    Objects.requireNonNull(intoCluster, "intoCluster");
    Objects.requireNonNull(reached, "reached");
    Objects.requireNonNull(duration, "duration");
  }
}
