package dev.runbooks.workflows.backup;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A target's backups, newest first, with the freshness limit the target is held to.
 *
 * @param freshnessLimit the newest verified backup must be younger than this; null when unset
 */
public record BackupCatalog(
    String target, String location, List<BackupListing> backups, Duration freshnessLimit) {
  public BackupCatalog {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(location, "location");
    backups = List.copyOf(backups);
  }
}
