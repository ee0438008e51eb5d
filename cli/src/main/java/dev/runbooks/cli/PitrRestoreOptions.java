package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.pitr.PitrRestoreOutcome;
import picocli.CommandLine.Option;

/** {@code restore --type physical}'s options: the target point, the new cluster, its port. */
final class PitrRestoreOptions {
  @Option(
      names = "--type",
      paramLabel = "logical|physical",
      description =
          "logical (default): a pg_dump backup into a new database. physical: a point-in-time"
              + " restore into a new cluster on the worker's host.")
  String type;

  @Option(names = "--to-time", paramLabel = "TS", description = "Physical: ISO 8601 time.")
  String toTime;

  @Option(names = "--to-lsn", paramLabel = "LSN", description = "Physical: a WAL position.")
  String toLsn;

  @Option(
      names = "--to-restore-point",
      paramLabel = "NAME",
      description = "Physical: a restore point made by pg_create_restore_point.")
  String toRestorePoint;

  @Option(names = "--latest", description = "Physical: the end of the WAL archive.")
  boolean latest;

  @Option(
      names = "--into-cluster",
      paramLabel = "DIR",
      description =
          "Physical: the new cluster's data directory on the worker's host (new or empty).")
  String intoCluster;

  @Option(
      names = "--port",
      paramLabel = "P",
      description = "Physical: the new cluster's port on 127.0.0.1 (default: a free one).")
  Integer port;

  int launch(
      LaunchCommand command,
      RunbooksConfig config,
      String target,
      String backupId,
      String database,
      String workflowId)
      throws InterruptedException {
    if (backupId != null || database != null) {
      throw new UsageException(
          "--backup and --into are for a logical restore; a physical one picks its base backup"
              + " by --to-time/--to-lsn/--to-restore-point/--latest and restores into"
              + " --into-cluster DIR.");
    }
    if (intoCluster == null || !intoCluster.startsWith("/")) {
      throw new UsageException(
          "a physical restore needs --into-cluster DIR, an absolute path on the worker's host to a"
              + " new or empty directory, such as /var/lib/postgresql/restored.");
    }
    if (port != null && (port < 1 || port > 65535)) {
      throw new UsageException("--port " + port + " is not a TCP port (1-65535).");
    }
    return command.launch(
        config,
        new PitrRuns(config, command.user())
            .restore(
                target,
                PitrRuns.target(toTime, toLsn, toRestorePoint, latest),
                intoCluster,
                port == null ? 0 : port,
                workflowId),
        PitrRestoreOutcome.class,
        PitrRuns.RESTORE);
  }

  /** Refuses physical-only options on a logical restore. */
  void refuseWithLogical() {
    if (toTime != null
        || toLsn != null
        || toRestorePoint != null
        || latest
        || intoCluster != null
        || port != null) {
      throw new UsageException(
          "--to-time, --to-lsn, --to-restore-point, --latest, --into-cluster and --port are for"
              + " a point-in-time restore: add --type physical.");
    }
  }
}
