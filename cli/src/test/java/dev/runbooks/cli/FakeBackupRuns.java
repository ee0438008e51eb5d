package dev.runbooks.cli;

import dev.runbooks.worker.EmbeddedTemporal;
import dev.runbooks.worker.RunbookWorker;
import dev.runbooks.worker.TemporalConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The embedded Temporal with a worker serving {@link FakeBackupWorkflows} on the default task
 * queue, and a configuration naming their targets: the CLI's backup commands without PostgreSQL.
 */
final class FakeBackupRuns implements AutoCloseable {
  static final List<String> TARGETS =
      List.of("orders", "broken", "baddrill", "stale", "never", "nolimit");

  final EmbeddedTemporal temporal;
  final TemporalConnection connection;
  final RunbookWorker worker;
  final Path config;

  FakeBackupRuns(Path dir) {
    StringBuilder yaml = new StringBuilder("targets:\n");
    for (String target : TARGETS) {
      yaml.append("  ")
          .append(target)
          .append(": { primary: { host: 127.0.0.1, port: 5432, database: ")
          .append(target)
          .append(" }, admin: { user: postgres } }\n");
    }
    yaml.append("repository: file:///var/lib/runbooks/backups\n");
    yaml.append("encryption: local-keyset:/var/lib/runbooks/backup-keyset.json\n");
    try {
      config = Files.writeString(dir.resolve("runbooks.yaml"), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    temporal = EmbeddedTemporal.start(0);
    connection = temporal.connect();
    worker =
        RunbookWorker.start(
            connection.client(),
            RunbookWorker.DEFAULT_TASK_QUEUE,
            FakeBackupWorkflows.implementations(),
            List.of());
  }

  /** The environment that points the CLI at this service and configuration. */
  Cli cli() {
    return new Cli(Cli.isolatedEnv())
        .with("TEMPORAL_ADDRESS", temporal.address())
        .with("RUNBOOKS_CONFIG", config.toString());
  }

  @Override
  public void close() {
    worker.close();
    connection.close();
    temporal.close();
  }
}
