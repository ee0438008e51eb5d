package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.backup.BackupWiring;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.pitr.PhysicalBackupActivities;
import dev.runbooks.workflows.pitr.PitrDrillActivities;
import dev.runbooks.workflows.pitr.PitrRestoreActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Clock;
import java.time.Duration;

/** The physical backup and PITR activities as Temporal runs them, one attempt per call. */
final class PitrHarness implements AutoCloseable {
  static final ActivityOptions ONE_ATTEMPT =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(5))
          .setHeartbeatTimeout(Duration.ofSeconds(30))
          .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
          .build();

  private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();
  final PhysicalBackupActivities backups;
  final PitrRestoreActivities restores;
  final PitrDrillActivities drills;

  PitrHarness(
      TargetConnections connections,
      BackupTargets targets,
      KeyEncryptionKey kek,
      PgBinaries binaries,
      Duration walWait) {
    BackupWiring wiring = BackupWiring.of(connections, targets, kek, binaries, Clock.systemUTC());
    env.registerActivitiesImplementations(
        new PhysicalBackupActivitiesImpl(wiring, walWait),
        new PitrRestoreActivitiesImpl(wiring, binaries),
        new PitrDrillActivitiesImpl(wiring, binaries, walWait));
    backups = env.newActivityStub(PhysicalBackupActivities.class, ONE_ATTEMPT);
    restores = env.newActivityStub(PitrRestoreActivities.class, ONE_ATTEMPT);
    drills = env.newActivityStub(PitrDrillActivities.class, ONE_ATTEMPT);
  }

  @Override
  public void close() {
    env.close();
  }
}
