package dev.runbooks.activities.config;

import java.util.Objects;

/**
 * One server of a target: the configured primary (named {@code primary} unless {@code members:}
 * names it) or a replica. Which member is the primary is decided when a run starts, not here.
 */
public record MemberConfig(String name, Endpoint endpoint) {
  public MemberConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(endpoint, "endpoint");
  }
}
