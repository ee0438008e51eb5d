package dev.runbooks.activities.config;

import java.util.Objects;

/**
 * A streaming replica of a target's primary. It serves the primary's database, and is reached with
 * the primary's sslmode.
 */
public record ReplicaConfig(String name, String host, int port) {
  public ReplicaConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(host, "host");
  }

  /** This replica as an endpoint: its host and port, the primary's database and sslmode. */
  public Endpoint endpoint(Endpoint primary) {
    return new Endpoint(host, port, primary.database(), primary.sslmode());
  }
}
