package dev.runbooks.activities.backup;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.workflows.backup.BackupActivities;
import dev.runbooks.workflows.backup.BackupInput;
import dev.runbooks.workflows.backup.RestoreActivities;
import dev.runbooks.workflows.backup.RestoreInput;
import dev.runbooks.workflows.shared.ActivityProgress;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.function.Executable;

/**
 * The backup and restore activities run as Temporal runs them, in a {@link TestActivityEnvironment}
 * (heartbeats included), one attempt per call so that a test sees each failure as the workflow
 * would.
 */
final class Harness implements AutoCloseable {
  static final ActivityOptions ONE_ATTEMPT =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(5))
          // Short, so that heartbeats reach the listener often (the SDK sends at most one per 80%
          // of this).
          .setHeartbeatTimeout(Duration.ofSeconds(3))
          .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
          .build();

  private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();
  final BackupActivities backups;
  final RestoreActivities restores;
  final List<ActivityProgress> heartbeats = new CopyOnWriteArrayList<>();

  Harness(
      TargetConnections connections,
      BackupTargets targets,
      KeyEncryptionKey dumpKek,
      KeyEncryptionKey restoreKek,
      PgBinaries binaries,
      Clock clock) {
    env.registerActivitiesImplementations(
        new BackupActivitiesImpl(BackupWiring.of(connections, targets, dumpKek, binaries, clock)),
        new RestoreActivitiesImpl(
            BackupWiring.of(connections, targets, restoreKek, binaries, clock)));
    env.setActivityHeartbeatListener(ActivityProgress.class, heartbeats::add);
    backups = env.newActivityStub(BackupActivities.class, ONE_ATTEMPT);
    restores = env.newActivityStub(RestoreActivities.class, ONE_ATTEMPT);
  }

  /** As Temporal does when the run is cancelled: the next heartbeat is answered with it. */
  void cancel() {
    env.requestCancelActivity();
  }

  static BackupInput backup(String target, String id) {
    return new BackupInput(target, id, "backup-" + target + "/" + id);
  }

  static RestoreInput drill(String target, String id, String database) {
    return new RestoreInput(target, id, database, false, "drill-" + database + "/restore");
  }

  static RestoreInput incident(String target, String id, String database) {
    return new RestoreInput(target, id, database, true, "restore-" + database + "/restore");
  }

  /** The failure an activity call ended with, as the workflow would see it. */
  static ApplicationFailure failure(Executable call) {
    ActivityFailure failure = assertThrows(ActivityFailure.class, call);
    return assertInstanceOf(ApplicationFailure.class, failure.getCause());
  }

  static boolean databaseExists(LocalCluster cluster, String database) throws SQLException {
    try (Connection c = cluster.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_database WHERE datname = '"
                    + database.replace("'", "''")
                    + "'")) {
      rs.next();
      return rs.getInt(1) == 1;
    }
  }

  static long count(LocalCluster cluster, String database, String table) throws SQLException {
    try (Connection c = cluster.connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public void close() {
    env.close();
  }
}
