package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.pgtools.PgBinaries;
import java.time.Clock;
import java.util.Objects;

/**
 * What the backup and the restore activities are built from, checked once: the targets' connections
 * and repositories, the key-encryption key, the PostgreSQL client tools and the clock.
 */
public record BackupWiring(
    TargetConnections connections,
    BackupTargets targets,
    KeyEncryptionKey kek,
    PgTool tools,
    Clock clock) {
  public BackupWiring {
    Objects.requireNonNull(connections, "connections");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(kek, "kek");
    Objects.requireNonNull(tools, "tools");
    Objects.requireNonNull(clock, "clock");
  }

  public static BackupWiring of(
      TargetConnections connections,
      BackupTargets targets,
      KeyEncryptionKey kek,
      PgBinaries binaries,
      Clock clock) {
    return new BackupWiring(
        connections, targets, kek, new PgTool(Objects.requireNonNull(binaries, "binaries")), clock);
  }
}
