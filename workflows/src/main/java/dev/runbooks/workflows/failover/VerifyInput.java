package dev.runbooks.workflows.failover;

import java.util.Objects;

/**
 * @param oldTimeline the old primary's timeline: the new primary must be on a later one (0 when
 *     unknown)
 * @param canaryKey written to the canary table and read back
 */
public record VerifyInput(String target, String server, int oldTimeline, String canaryKey) {
  public VerifyInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(canaryKey, "canaryKey");
  }
}
