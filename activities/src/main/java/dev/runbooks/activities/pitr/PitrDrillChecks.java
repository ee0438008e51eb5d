package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.DatabaseContents;
import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.workflows.pitr.PitrDrillRun;
import dev.runbooks.workflows.pitr.PitrRestoreInput;
import dev.runbooks.workflows.pitr.PitrTarget;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * What a PITR drill proves on its scratch cluster: the marker before the restore point is there and
 * the one after it is not, the objects and every table's row count are the primary's as of the
 * restore point, and {@code pg_amcheck} finds no corruption ({@code pg_verifybackup} ran on the
 * unpacked base backup before recovery).
 */
final class PitrDrillChecks {
  private final ServerHost host;

  PitrDrillChecks(ServerHost host) {
    this.host = host;
  }

  static PitrRestoreInput restoreInput(PitrDrillRun run, Path scratch) {
    return new PitrRestoreInput(
        run.drill().target(),
        new PitrTarget(PitrTarget.Kind.RESTORE_POINT, run.marker().restorePoint()),
        scratch.toString(),
        0,
        run.marker().restorePointLsn(),
        run.drill().idempotencyKey());
  }

  /** The scratch cluster lets the target's admin role in over 127.0.0.1, as the primary would. */
  static String hbaLine(ConnectionSpec spec) {
    return "host all \""
        + spec.user().replace("\"", "")
        + "\" 127.0.0.1/32 "
        + (spec.password() == null ? "trust" : "scram-sha-256");
  }

  List<String> check(ConnectionSpec spec, int port, PitrDrillRun run, Heartbeat heartbeat)
      throws IOException {
    List<String> differences = new ArrayList<>();
    Properties login = new Properties();
    login.setProperty("user", spec.user());
    if (spec.password() != null) {
      login.setProperty("password", spec.password());
    }
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/" + spec.database();
    try (Connection c = DriverManager.getConnection(url, login)) {
      List<String> phases = PitrDrillMarkers.phases(c, run.marker().restorePoint());
      if (!phases.equals(List.of("before"))) {
        differences.add(
            "expected only the marker written before the restore point, found markers " + phases);
      }
      c.setAutoCommit(false);
      DatabaseContents restored = DatabaseContents.read(c);
      c.rollback();
      compare(run.marker().rowCounts(), restored.rowCounts(), differences);
      TreeSet<String> missing = new TreeSet<>(run.marker().objects());
      missing.removeAll(restored.objects());
      TreeSet<String> extra = new TreeSet<>(restored.objects());
      extra.removeAll(run.marker().objects());
      extra.remove("extension amcheck");
      if (!missing.isEmpty()) {
        differences.add("objects missing from the restore: " + missing);
      }
      if (!extra.isEmpty()) {
        differences.add("objects the primary did not have: " + extra);
      }
    } catch (SQLException e) {
      differences.add("could not read the restored cluster at 127.0.0.1:" + port + ": " + e);
    }
    Map<String, String> env = new HashMap<>();
    if (spec.password() != null) {
      env.put("PGPASSWORD", spec.password());
    }
    ServerHost.Result amcheck =
        host.run(
            List.of(
                host.bin("pg_amcheck"),
                "--host=127.0.0.1",
                "--port=" + port,
                "--username=" + spec.user(),
                "--no-password",
                "--install-missing",
                "--database=" + spec.database()),
            env,
            heartbeat);
    if (amcheck.exit() != 0) {
      differences.add("pg_amcheck found problems: " + amcheck.output());
    }
    return differences;
  }

  private static void compare(
      Map<String, Long> primary, Map<String, Long> restored, List<String> differences) {
    for (Map.Entry<String, Long> e : new java.util.TreeMap<>(primary).entrySet()) {
      Long got = restored.get(e.getKey());
      if (!e.getValue().equals(got)) {
        differences.add(
            e.getKey()
                + ": "
                + e.getValue()
                + " rows on the primary at the restore point, "
                + (got == null ? "no such table" : got + " rows")
                + " restored");
      }
    }
  }
}
