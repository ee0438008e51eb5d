package dev.runbooks.workflows.failover;

import java.util.Objects;

/**
 * @param from the server the pooler's databases point at before the switchover (repoint only)
 * @param to the server they point at after it (repoint only)
 */
public record PoolerInput(String target, String from, String to) {
  public PoolerInput {
    Objects.requireNonNull(target, "target");
  }

  /** For PAUSE and RESUME, which need no servers. */
  public static PoolerInput of(String target) {
    return new PoolerInput(target, null, null);
  }
}
