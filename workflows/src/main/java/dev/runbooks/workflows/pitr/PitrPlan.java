package dev.runbooks.workflows.pitr;

import java.util.Objects;

/**
 * Which base backup and WAL a point-in-time restore uses.
 *
 * @param window the target's restorable window, for messages
 */
public record PitrPlan(String backupId, String startLsn, int walFiles, String window) {
  public PitrPlan {
    Objects.requireNonNull(backupId, "backupId");
    Objects.requireNonNull(startLsn, "startLsn");
    Objects.requireNonNull(window, "window");
  }
}
