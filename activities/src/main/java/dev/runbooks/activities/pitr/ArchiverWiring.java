package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.activities.postgres.TargetConnections;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * What the archiver's activities are built from: the targets' connections and repositories, the
 * key-encryption key, the PostgreSQL tools ({@code pg_receivewal}), the local spool directory (one
 * subdirectory per target) and the clock.
 */
public record ArchiverWiring(
    TargetConnections connections,
    BackupTargets targets,
    KeyEncryptionKey kek,
    PgTool tools,
    Path spoolRoot,
    Clock clock) {
  public ArchiverWiring {
    Objects.requireNonNull(connections, "connections");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(kek, "kek");
    Objects.requireNonNull(tools, "tools");
    Objects.requireNonNull(spoolRoot, "spoolRoot");
    Objects.requireNonNull(clock, "clock");
  }
}
