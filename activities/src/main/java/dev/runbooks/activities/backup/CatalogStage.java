package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.workflows.backup.BackupCatalog;
import dev.runbooks.workflows.backup.BackupListing;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A target's backups, newest first, with their drill verdicts: what {@code runbook backups} shows.
 */
final class CatalogStage {
  private final BackupTargets targets;

  CatalogStage(BackupTargets targets) {
    this.targets = targets;
  }

  BackupCatalog listBackups(String target) {
    BackupRepository repository = targets.repository(target);
    String context = "listing the backups of target " + target;
    return Faults.call(
        context,
        repository,
        () -> {
          List<BackupListing> listings = new ArrayList<>();
          for (StoredBackups.Stored s : StoredBackups.list(repository, target)) {
            listings.add(listing(repository, target, s));
          }
          return new BackupCatalog(
              target,
              StoredBackups.location(repository, target),
              listings,
              targets.freshness(target));
        });
  }

  private static BackupListing listing(
      BackupRepository repository, String target, StoredBackups.Stored s) throws IOException {
    DrillVerdict v = s.verdict();
    if (s.complete()) {
      BackupManifest m = s.manifest();
      BackupListing listing =
          BackupListing.complete(s.id(), m.startedAt(), m.finishedAt(), m.ciphertextBytes());
      return v == null ? listing : listing.drilled(v.passed(), v.drilledAt(), v.restoreDuration());
    }
    long bytes = repository.size(BackupLayout.dumpKey(target, s.id())).orElse(0L);
    return BackupListing.incomplete(s.id(), bytes);
  }
}
