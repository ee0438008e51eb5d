package dev.runbooks.workflows.pitr;

import java.util.Objects;

/**
 * A point-in-time restore on the worker's host.
 *
 * @param intoCluster the new cluster's data directory: absent or empty
 * @param port the port it listens on (127.0.0.1); 0 lets the worker pick a free one
 * @param lsnHint where the target is known to lie (a drill's restore point), or empty: picks the
 *     newest base backup before it
 */
public record PitrRestoreInput(
    String target,
    PitrTarget to,
    String intoCluster,
    int port,
    String lsnHint,
    String idempotencyKey) {
  public PitrRestoreInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(intoCluster, "intoCluster");
    Objects.requireNonNull(lsnHint, "lsnHint");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
