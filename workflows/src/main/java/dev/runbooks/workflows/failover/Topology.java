package dev.runbooks.workflows.failover;

import java.util.List;
import java.util.Objects;

/** The target's servers as preflight found them, and its failover settings. */
public record Topology(
    PrimaryState primary, List<ReplicaState> replicas, FailoverSettings settings) {
  public Topology {
    Objects.requireNonNull(primary, "primary");
    replicas = List.copyOf(replicas);
    Objects.requireNonNull(settings, "settings");
  }
}
