package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.backup.BackupWiring;
import dev.runbooks.activities.backup.Faults;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.pitr.PitrDrillActivities;
import dev.runbooks.workflows.pitr.PitrDrillCheck;
import dev.runbooks.workflows.pitr.PitrDrillInput;
import dev.runbooks.workflows.pitr.PitrDrillRun;
import dev.runbooks.workflows.pitr.PitrMarker;
import dev.runbooks.workflows.pitr.PitrVerdictInput;
import dev.runbooks.workflows.shared.FailureType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * PITR drills: {@link PitrDrillMarkers} on the primary, the wait for the archive, and {@link
 * PitrDrillChecks} on a scratch cluster restored by {@link PitrRestoreStage}.
 */
public final class PitrDrillActivitiesImpl implements PitrDrillActivities {
  private final TargetConnections connections;
  private final BackupTargets targets;
  private final Clock clock;
  private final PitrRestoreStage restores;
  private final PitrDrillChecks checks;
  private final Duration walWait;

  public PitrDrillActivitiesImpl(BackupWiring wiring, PgBinaries binaries, Duration walWait) {
    this.connections = wiring.connections();
    this.targets = wiring.targets();
    this.clock = wiring.clock();
    ServerHost host = new ServerHost(binaries);
    this.restores = new PitrRestoreStage(wiring.kek(), host, wiring.clock());
    this.checks = new PitrDrillChecks(host);
    this.walWait = walWait;
  }

  @Override
  public PitrMarker writeDrillMarker(PitrDrillInput input) {
    try (Connection c = connections.primary(input.target())) {
      return PitrDrillMarkers.write(c, input.drillId());
    } catch (SQLException e) {
      throw Faults.sqlFault(
          "PITR drill " + input.drillId() + ": writing the marker on target " + input.target(), e);
    }
  }

  @Override
  public Duration awaitDrillArchived(PitrDrillRun run) {
    String target = run.drill().target();
    BackupRepository repository = targets.repository(target);
    long end = WalSegment.parseLsn(run.marker().endLsn());
    return Faults.call(
        "PITR drill " + run.drill().drillId(),
        repository,
        () -> {
          WalArchive archive = restores.archive(repository, target);
          Instant deadline = clock.instant().plus(walWait);
          try (Heartbeat heartbeat = Heartbeat.start("archived", 0, "")) {
            while (true) {
              heartbeat.check();
              WalInventory inventory = archive.inventory();
              OptionalLong held = inventory.recoverableEnd();
              if (held.isPresent() && held.getAsLong() >= end) {
                return Duration.between(run.marker().writtenAt(), clock.instant());
              }
              if (clock.instant().isAfter(deadline)) {
                throw FailureType.LAG_TOO_HIGH.failure(
                    "the WAL archive of target "
                        + target
                        + " does not hold the drill's marker at "
                        + run.marker().endLsn()
                        + " after "
                        + walWait.toSeconds()
                        + " s (it holds "
                        + inventory.describe()
                        + "): the archiver is stopped or far behind. Check 'runbook archive"
                        + " status --target "
                        + target
                        + "'");
              }
              Thread.sleep(250);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.IOException("interrupted waiting for the archive", e);
          }
        });
  }

  @Override
  public PitrDrillCheck drillPointInTime(PitrDrillRun run) {
    String target = run.drill().target();
    BackupRepository repository = targets.repository(target);
    ConnectionSpec spec = connections.connectionSpec(target);
    return Faults.call(
        "PITR drill " + run.drill().drillId(),
        repository,
        () -> {
          Path scratch = Files.createTempDirectory("runbooks-pitr-drill");
          Instant started = clock.instant();
          try (Heartbeat heartbeat = Heartbeat.start("restore", 0, "WAL files")) {
            PitrRecovery.Recovered r =
                restores.restore(
                    repository,
                    PitrDrillChecks.restoreInput(run, scratch),
                    PitrDrillChecks.hbaLine(spec),
                    true,
                    heartbeat);
            Duration rto = Duration.between(started, clock.instant());
            try {
              return new PitrDrillCheck(
                  r.backupId(),
                  r.reached(),
                  rto,
                  checks.check(spec, PitrRestoreStage.port(scratch), run, heartbeat));
            } finally {
              restores.recovery().discard(scratch, heartbeat);
            }
          } finally {
            PitrRecovery.deleteTree(scratch);
          }
        });
  }

  @Override
  public void recordPitrVerdict(PitrVerdictInput input) {
    String target = input.drill().target();
    BackupRepository repository = targets.repository(target);
    Faults.run(
        "PITR drill " + input.drill().drillId(),
        repository,
        () ->
            repository.put(
                BaseBackupLayout.verdictKey(target, input.check().backupId()),
                dev.runbooks.activities.backup.BackupManifests.toJsonRecord(
                        new PitrDrillVerdict(
                            input.check().backupId(),
                            input.drill().drillId(),
                            input.check().differences().isEmpty(),
                            input.check().differences(),
                            input.check().reached().lsn(),
                            input.check().reached().timeline(),
                            input.check().rto(),
                            input.rpo(),
                            clock.instant()))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
