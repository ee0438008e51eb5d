package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.backup.Comparison;
import dev.runbooks.workflows.backup.RestoreInput;
import dev.runbooks.workflows.shared.FailureType;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The compare step: the restored database's row counts and objects against the manifest. */
final class CompareStage {
  private static final Logger log = LoggerFactory.getLogger(CompareStage.class);

  /** A comparison reports at most this many differences, then how many more there were. */
  static final int MAX_DIFFERENCES = 100;

  private final TargetConnections connections;
  private final BackupTargets targets;

  CompareStage(TargetConnections connections, BackupTargets targets) {
    this.connections = connections;
    this.targets = targets;
  }

  Comparison compareWithManifest(RestoreInput input) {
    String target = input.target();
    String id = BackupNames.backupId(input.backupId());
    String database = BackupNames.restoreDatabase(input.database());
    String context = "comparison of " + database + " with backup " + id + " of target " + target;
    BackupRepository repository = targets.repository(target);
    return Faults.call(
        context,
        repository,
        () -> {
          BackupManifest manifest = StoredBackups.requireManifest(repository, target, id);
          if (manifest.inventoryVersion() > InventoryQueries.CURRENT) {
            throw FailureType.BAD_INPUT.failure(
                context
                    + ": the manifest lists objects of inventory version "
                    + manifest.inventoryVersion()
                    + " but this worker reads up to "
                    + InventoryQueries.CURRENT
                    + ": run the drill on a worker of the runbooks version that took the backup,"
                    + " or a newer one");
          }
          Inventory.Contents restored;
          try (Connection c = connections.primary(target, database);
              Heartbeat heartbeat =
                  Heartbeat.start("compare", manifest.rowCounts().size(), "tables")) {
            c.setAutoCommit(false);
            Jdbc.execute(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            restored =
                Inventory.read(
                    c,
                    manifest.inventoryVersion(),
                    tables -> {
                      heartbeat.set(tables);
                      heartbeat.check();
                    });
            c.rollback();
          } catch (SQLException e) {
            if (Faults.noSuchDatabase(e)) {
              throw FailureType.NOT_FOUND.failure(
                  context
                      + ": the database "
                      + database
                      + " does not exist: restore the backup into it first (restoreBackup)");
            }
            throw Faults.sqlFault(context, e);
          }
          List<String> differences = differences(manifest, restored);
          long rows = manifest.rowCounts().values().stream().mapToLong(Long::longValue).sum();
          log.info(
              "{}: {} tables, {} rows, {} differences",
              context,
              manifest.rowCounts().size(),
              rows,
              differences.size());
          return new Comparison(manifest.rowCounts().size(), rows, differences);
        });
  }

  static List<String> differences(BackupManifest manifest, Inventory.Contents restored) {
    List<String> all = new ArrayList<>();
    Map<String, Long> expected = manifest.rowCounts();
    Map<String, Long> found = restored.rowCounts();
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      Long after = found.get(e.getKey());
      if (after == null) {
        all.add(
            "table "
                + e.getKey()
                + ": in the backup ("
                + e.getValue()
                + " rows) but missing after the restore");
      } else if (!after.equals(e.getValue())) {
        all.add(
            "table "
                + e.getKey()
                + ": "
                + e.getValue()
                + " rows in the backup, "
                + after
                + " after the restore");
      }
    }
    for (String table : new TreeSet<>(found.keySet())) {
      if (!expected.containsKey(table)) {
        all.add("table " + table + ": after the restore but not in the backup");
      }
    }
    Set<String> before = new TreeSet<>(manifest.objects());
    Set<String> after = new TreeSet<>(restored.objects());
    for (String object : before) {
      if (!after.contains(object)) {
        all.add("missing after the restore: " + object);
      }
    }
    for (String object : after) {
      if (!before.contains(object)) {
        all.add("not in the backup: " + object);
      }
    }
    if (all.size() <= MAX_DIFFERENCES) {
      return all;
    }
    List<String> cut = new ArrayList<>(all.subList(0, MAX_DIFFERENCES));
    cut.add("... and " + (all.size() - MAX_DIFFERENCES) + " more differences");
    return cut;
  }
}
