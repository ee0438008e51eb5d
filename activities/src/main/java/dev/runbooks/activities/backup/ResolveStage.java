package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.workflows.backup.DrillRequest;
import dev.runbooks.workflows.shared.FailureType;

/** The resolve step: which backup a drill or restore uses. */
final class ResolveStage {
  private final BackupTargets targets;

  ResolveStage(BackupTargets targets) {
    this.targets = targets;
  }

  String resolveBackup(DrillRequest request) {
    String target = request.runbook().target();
    BackupRepository repository = targets.repository(target);
    String context = "choosing a backup of target " + target;
    return Faults.call(
        context,
        repository,
        () -> {
          if (request.backupId() != null) {
            String id = BackupNames.backupId(request.backupId());
            StoredBackups.requireManifest(repository, target, id);
            return id;
          }
          for (StoredBackups.Stored s : StoredBackups.list(repository, target)) {
            if (s.complete()) {
              return s.id();
            }
          }
          throw FailureType.NOT_FOUND.failure(
              "target "
                  + target
                  + " has no complete backup in "
                  + StoredBackups.location(repository, target)
                  + ": take one with runbook backup --target "
                  + target);
        });
  }
}
