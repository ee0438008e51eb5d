package dev.runbooks.workflows.failover;

import java.util.Objects;

/** One of a target's servers: a replica's name. */
public record ServerInput(String target, String server) {
  public ServerInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(server, "server");
  }
}
