package dev.runbooks.workflows.failover;

import java.util.List;
import java.util.Objects;

/**
 * The target's servers as preflight found them, and its failover settings.
 *
 * @param resolution how the primary was decided among the target's members, for the preflight
 *     step's detail; null in runs from before members were resolved
 */
public record Topology(
    PrimaryState primary,
    List<ReplicaState> replicas,
    FailoverSettings settings,
    String resolution) {
  public Topology {
    Objects.requireNonNull(primary, "primary");
    replicas = List.copyOf(replicas);
    Objects.requireNonNull(settings, "settings");
  }

  public Topology(PrimaryState primary, List<ReplicaState> replicas, FailoverSettings settings) {
    this(primary, replicas, settings, null);
  }
}
