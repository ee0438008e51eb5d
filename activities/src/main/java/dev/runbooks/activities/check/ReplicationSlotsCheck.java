package dev.runbooks.activities.check;

import static dev.runbooks.workflows.check.Severity.OK;
import static dev.runbooks.workflows.check.Severity.WARN;

import dev.runbooks.workflows.check.Figure;
import dev.runbooks.workflows.check.Finding;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * How much WAL each replication slot keeps on the primary: a slot whose consumer stopped (a replica
 * gone, the WAL archiver stalled or unable to reach its repository) keeps WAL without bound, until
 * the primary's disk is full. Nothing when the primary has no slots.
 */
final class ReplicationSlotsCheck {
  static final String NAME = "replication-slots";

  private ReplicationSlotsCheck() {}

  static List<Finding> run(Connection c, long warnBytes) throws SQLException {
    List<Finding> findings = new ArrayList<>();
    List<String> details = new ArrayList<>();
    List<Figure> figures = new ArrayList<>();
    long largest = 0;
    String largestName = null;
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT slot_name, slot_type, active,"
                    + " coalesce(pg_current_wal_lsn() - restart_lsn, 0)::bigint"
                    + " FROM pg_replication_slots ORDER BY slot_name")) {
      while (rs.next()) {
        String name = rs.getString(1);
        boolean active = rs.getBoolean(3);
        long retained = rs.getLong(4);
        figures.add(Figure.of(Figure.SLOT_RETAINED_WAL_BYTES, "slot", name, retained));
        details.add(
            name
                + " ("
                + rs.getString(2)
                + (active ? ", active" : ", inactive")
                + "): retains "
                + Text.bytes(retained));
        if (retained > largest) {
          largest = retained;
          largestName = name;
        }
        if (retained > warnBytes) {
          findings.add(
              new Finding(
                  NAME,
                  WARN,
                  "replication slot "
                      + name
                      + " keeps "
                      + Text.bytes(retained)
                      + " of WAL on the primary, over the limit of "
                      + Text.bytes(warnBytes)
                      + (active ? "" : "; nothing is consuming it"),
                  name.startsWith("runbooks_archive_")
                      ? "The WAL archiver of this slot is behind or stopped: see runbook archive"
                          + " status --target T. If the archive is retired, drop the slot: SELECT"
                          + " pg_drop_replication_slot('"
                          + name
                          + "');"
                      : "Bring its consumer back (a replica, a logical subscriber), or drop the"
                          + " slot if it is abandoned: SELECT pg_drop_replication_slot('"
                          + name
                          + "');",
                  List.of()));
        }
      }
    }
    if (details.isEmpty()) {
      return List.of();
    }
    if (findings.isEmpty()) {
      findings.add(
          new Finding(
              NAME,
              OK,
              details.size()
                  + " replication slot(s), the largest "
                  + largestName
                  + " keeps "
                  + Text.bytes(largest)
                  + " (limit "
                  + Text.bytes(warnBytes)
                  + ")",
              "",
              details));
    }
    findings.set(0, findings.get(0).withFigures(figures));
    return findings;
  }
}
