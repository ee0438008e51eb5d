package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.DatabaseContents;
import dev.runbooks.workflows.pitr.PitrMarker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * The only writes a PITR drill makes to the production server: a row in {@code runbooks_pitr_drill}
 * before its restore point and one after it, and the restore point itself. The primary's contents
 * are read in a snapshot taken by the very statement that creates the restore point, so they are
 * what a restore to that point must hold (a transaction committing in the instant between the two
 * shows up as a difference, never as a false pass).
 */
final class PitrDrillMarkers {
  static final String TABLE = "runbooks_pitr_drill";

  private PitrDrillMarkers() {}

  static PitrMarker write(Connection c, String drillId) throws SQLException {
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + TABLE
              + " (drill text NOT NULL, phase text NOT NULL, written_at timestamptz NOT NULL"
              + " DEFAULT clock_timestamp(), PRIMARY KEY (drill, phase))");
    }
    insert(c, drillId, "before");
    Instant writtenAt;
    String restorePointLsn;
    DatabaseContents contents;
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      try (PreparedStatement rp =
          c.prepareStatement(
              "SELECT pg_create_restore_point(?)::text, (SELECT written_at FROM "
                  + TABLE
                  + " WHERE drill = ? AND phase = 'before')")) {
        rp.setString(1, drillId);
        rp.setString(2, drillId);
        try (ResultSet rs = rp.executeQuery()) {
          rs.next();
          restorePointLsn = rs.getString(1);
          writtenAt = rs.getTimestamp(2).toInstant();
        }
      }
      contents = DatabaseContents.read(c);
      c.commit();
    } finally {
      c.setAutoCommit(true);
    }
    insert(c, drillId, "after");
    String endLsn;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
      rs.next();
      endLsn = rs.getString(1);
    }
    return new PitrMarker(
        drillId, restorePointLsn, endLsn, writtenAt, contents.rowCounts(), contents.objects());
  }

  private static void insert(Connection c, String drillId, String phase) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO " + TABLE + " (drill, phase) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
      p.setString(1, drillId);
      p.setString(2, phase);
      p.executeUpdate();
    }
  }

  /** The phases of {@code drillId}'s markers a restored cluster holds. */
  static java.util.List<String> phases(Connection c, String drillId) throws SQLException {
    java.util.List<String> phases = new java.util.ArrayList<>();
    try (PreparedStatement p =
        c.prepareStatement("SELECT phase FROM " + TABLE + " WHERE drill = ? ORDER BY phase")) {
      p.setString(1, drillId);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          phases.add(rs.getString(1));
        }
      }
    }
    return phases;
  }
}
