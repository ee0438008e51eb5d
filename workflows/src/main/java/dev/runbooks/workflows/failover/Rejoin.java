package dev.runbooks.workflows.failover;

import java.util.List;
import java.util.Objects;

/**
 * @param rejoined the old primary runs as a replica streaming from the new one, as read back
 * @param attempted the worker tried to rejoin it (asked to, and it could); a rejoin attempted and
 *     not done is a failed rejoin
 * @param detail one line for a person
 * @param manualSteps what a person must do; when the rejoin failed, the first is the next step
 * @param servers every server of the target as read from it after the rejoin; empty when they could
 *     not be read (and in runs recorded before they were)
 */
public record Rejoin(
    boolean rejoined,
    boolean attempted,
    String detail,
    List<String> manualSteps,
    List<ServerState> servers) {
  public Rejoin {
    Objects.requireNonNull(detail, "detail");
    manualSteps = List.copyOf(manualSteps);
    servers = servers == null ? List.of() : List.copyOf(servers);
  }

  /** Not attempted, with what a person does instead. */
  public Rejoin(boolean rejoined, String detail, List<String> manualSteps) {
    this(rejoined, false, detail, manualSteps, List.of());
  }

  public boolean failed() {
    return attempted && !rejoined;
  }
}
