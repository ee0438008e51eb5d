package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.workflows.backup.DrillVerdictInput;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The verdict step: a drill's outcome, written beside the backup's manifest. */
final class VerdictStage {
  private static final Logger log = LoggerFactory.getLogger(VerdictStage.class);

  private final BackupTargets targets;
  private final Clock clock;

  VerdictStage(BackupTargets targets, Clock clock) {
    this.targets = targets;
    this.clock = clock;
  }

  void recordDrillVerdict(DrillVerdictInput input) {
    String target = input.target();
    String id = BackupNames.backupId(input.backupId());
    String context = "recording the drill verdict of backup " + id + " of target " + target;
    BackupRepository repository = targets.repository(target);
    Faults.run(
        context,
        repository,
        () -> {
          StoredBackups.requireManifest(repository, target, id);
          DrillVerdict verdict =
              new DrillVerdict(
                  id,
                  input.passed(),
                  input.differences(),
                  input.restoreDuration() == null ? Duration.ZERO : input.restoreDuration(),
                  clock.instant(),
                  input.drillWorkflowId(),
                  true);
          repository.put(
              BackupLayout.verdictKey(target, id),
              BackupManifests.toJson(verdict).getBytes(StandardCharsets.UTF_8));
          log.info("{}: {}", context, input.passed() ? "passed" : "failed");
        });
  }
}
