package dev.runbooks.activities.pitr;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The archiver's physical replication slot on the primary, and what the archiver reads there.
 *
 * <p>The slot is the server-side record of "archived up to here": the archiver advances it with
 * {@code pg_replication_slot_advance} only after the WAL is committed in the repository, so the
 * primary keeps every segment the archive does not hold yet, whatever happens to the worker or its
 * local spool. {@code pg_receivewal} itself streams without the slot: were it given the slot, it
 * would advance it as soon as WAL is on the worker's local disk, before the repository has it, and
 * a worker that died then would leave a hole no other worker could fill.
 */
final class ArchiveSlot {
  /**
   * How far a slot may be moved: what a primary has flushed, what a standby has replayed (a slot on
   * a standby keeps WAL there too, for when it is promoted).
   */
  private static final String WRITTEN =
      "CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
          + " ELSE pg_current_wal_flush_lsn() END";

  private final String name;

  ArchiveSlot(String target) {
    this.name = slotName(target);
  }

  /** {@code runbooks_archive_orders}: a slot name from a target name (lower case, [a-z0-9_]). */
  static String slotName(String target) {
    String cleaned = target.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    String full = "runbooks_archive_" + cleaned;
    return full.length() > 63 ? full.substring(0, 63) : full;
  }

  String name() {
    return name;
  }

  /** The application name the archiver's {@code pg_receivewal} connects with. */
  String applicationName() {
    return name;
  }

  /** The slot's restart LSN, or empty when the slot does not exist. */
  OptionalLong restartLsn(Connection c) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return OptionalLong.empty();
        }
        String lsn = rs.getString(1);
        return lsn == null ? OptionalLong.of(0) : OptionalLong.of(WalSegment.parseLsn(lsn));
      }
    }
  }

  /**
   * Creates the slot, reserving WAL from now (the last checkpoint's redo point) on.
   *
   * @return its restart LSN
   */
  long create(Connection c) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT lsn::text FROM pg_create_physical_replication_slot(?, true, false)")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return WalSegment.parseLsn(rs.getString(1));
      }
    }
  }

  /**
   * Moves the slot forward to {@code lsn} (never back, never past what the server has flushed or,
   * on a standby, replayed).
   *
   * @return false when the slot does not exist
   */
  boolean advance(Connection c, long lsn) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT pg_replication_slot_advance(slot_name,"
                + " least(?::pg_lsn, "
                + WRITTEN
                + ")) FROM pg_replication_slots WHERE slot_name = ?"
                + " AND restart_lsn < least(?::pg_lsn, "
                + WRITTEN
                + ")")) {
      String text = WalSegment.formatLsn(lsn);
      s.setString(1, text);
      s.setString(2, name);
      s.setString(3, text);
      s.executeQuery().close();
    }
    return restartLsn(c).isPresent();
  }

  /** Where the archiver's receiver has flushed to, as the primary last heard; empty if unknown. */
  OptionalLong receiverFlushed(Connection c) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT max(flush_lsn)::text FROM pg_stat_replication WHERE application_name = ?")) {
      s.setString(1, applicationName());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        String lsn = rs.getString(1);
        return lsn == null ? OptionalLong.empty() : OptionalLong.of(WalSegment.parseLsn(lsn));
      }
    }
  }

  /**
   * Ends every replication connection with the archiver's application name: a receiver left by a
   * worker that died (its child process outlives it) must not stream beside the new one.
   *
   * @return how many were ended
   */
  int terminateStaleReceivers(Connection c) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_replication"
                + " WHERE application_name = ?")) {
      s.setString(1, applicationName());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** The server's current WAL position and timeline. */
  record Position(long lsn, int timeline) {}

  static Position current(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT pg_current_wal_lsn()::text, pg_walfile_name(pg_current_wal_lsn())")) {
      rs.next();
      return new Position(
          WalSegment.parseLsn(rs.getString(1)),
          Integer.parseUnsignedInt(rs.getString(2).substring(0, 8), 16));
    }
  }

  /**
   * The lowest segment of {@code timeline} after {@code segno} that the server still has in its
   * {@code pg_wal} (up to the current one); empty when it cannot tell (no right to list pg_wal) or
   * has none.
   */
  static OptionalLong oldestHeldAfter(Connection c, int timeline, long segno) {
    long current;
    try {
      current = WalSegment.containing(timeline, current(c).lsn()).segno();
    } catch (SQLException e) {
      return OptionalLong.empty();
    }
    // Recycled segments wait in pg_wal under future names, past the current one: not WAL yet.
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT name FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$' ORDER BY name")) {
      while (rs.next()) {
        WalSegment held = WalSegment.parse(rs.getString(1));
        if (held.timeline() == timeline && held.segno() > segno && held.segno() <= current) {
          return OptionalLong.of(held.segno());
        }
      }
      return OptionalLong.empty();
    } catch (SQLException e) {
      return OptionalLong.empty();
    }
  }
}
