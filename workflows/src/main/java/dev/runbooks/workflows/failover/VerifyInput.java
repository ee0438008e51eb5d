package dev.runbooks.workflows.failover;

import java.util.List;
import java.util.Objects;

/**
 * @param oldTimeline the old primary's timeline: the new primary must be on a later one (0 when
 *     unknown)
 * @param canaryKey written to the canary table and read back
 * @param reopenRoles the roles fencing set to NOLOGIN: that change was replicated, so the new
 *     primary gives them LOGIN back before the canary write
 */
public record VerifyInput(
    String target, String server, int oldTimeline, String canaryKey, List<String> reopenRoles) {
  public VerifyInput {
    reopenRoles = List.copyOf(reopenRoles);
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(canaryKey, "canaryKey");
  }
}
