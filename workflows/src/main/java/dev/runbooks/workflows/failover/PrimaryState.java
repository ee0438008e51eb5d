package dev.runbooks.workflows.failover;

import java.util.Objects;

/**
 * The primary as preflight found it.
 *
 * @param problem why it could not be reached or is not a primary; empty when it is fine
 * @param currentLsn its current WAL position; null when unreachable
 * @param timeline its timeline; 0 when unreachable
 */
public record PrimaryState(
    String name,
    String address,
    boolean reachable,
    String problem,
    String currentLsn,
    int timeline) {
  public PrimaryState {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    problem = problem == null ? "" : problem;
  }
}
