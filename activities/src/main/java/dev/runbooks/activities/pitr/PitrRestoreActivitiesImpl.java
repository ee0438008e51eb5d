package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.backup.BackupWiring;
import dev.runbooks.activities.backup.Faults;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.pitr.PitrPlan;
import dev.runbooks.workflows.pitr.PitrRestoreActivities;
import dev.runbooks.workflows.pitr.PitrRestoreInput;
import dev.runbooks.workflows.pitr.PitrRestoreOutcome;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Point-in-time restores on this worker's host: {@link PitrRestoreStage}. */
public final class PitrRestoreActivitiesImpl implements PitrRestoreActivities {
  private final BackupTargets targets;
  private final Clock clock;
  private final PitrRestoreStage stage;

  public PitrRestoreActivitiesImpl(BackupWiring wiring, PgBinaries binaries) {
    this.targets = wiring.targets();
    this.clock = wiring.clock();
    this.stage = new PitrRestoreStage(wiring.kek(), new ServerHost(binaries), wiring.clock());
  }

  @Override
  public PitrPlan planPitrRestore(PitrRestoreInput input) {
    BackupRepository repository = targets.repository(input.target());
    return Faults.call(
        context(input),
        repository,
        () -> {
          PitrPlanner.Plan plan = stage.plan(repository, input);
          return new PitrPlan(
              plan.backup().id(), plan.backup().startLsn(), plan.toFetch(), plan.window());
        });
  }

  @Override
  public PitrRestoreOutcome restoreToPoint(PitrRestoreInput input) {
    BackupRepository repository = targets.repository(input.target());
    return Faults.call(
        context(input),
        repository,
        () -> {
          Instant started = clock.instant();
          try (Heartbeat heartbeat = Heartbeat.start("recover", 0, "WAL files")) {
            PitrRecovery.Recovered r = stage.restore(repository, input, "", false, heartbeat);
            return new PitrRestoreOutcome(
                r.backupId(),
                input.intoCluster(),
                PitrRestoreStage.port(Path.of(input.intoCluster())),
                r.reached(),
                Duration.between(started, clock.instant()),
                r.walFiles(),
                r.bytes());
          }
        });
  }

  private static String context(PitrRestoreInput input) {
    return "point-in-time restore of target " + input.target() + " to " + input.to().describe();
  }
}
