package dev.runbooks.workflows.failover;

import java.util.Objects;

/**
 * @param changed primary_conninfo was changed by this call (false: it already pointed there)
 * @param streaming the replica streams from the new primary
 * @param detail one line for a person, including what to do when it does not stream
 */
public record Repoint(String replica, boolean changed, boolean streaming, String detail) {
  public Repoint {
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(detail, "detail");
  }
}
