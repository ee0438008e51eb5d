package dev.runbooks.activities.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * Whether a rehearsal's timings say anything about the target: a copy holding far fewer rows than
 * the target (an empty schema-only copy, an old backup) applies a rewrite or an index in no time
 * that takes seconds on the target. Rows are PostgreSQL's estimates, {@code pg_class.reltuples}, or
 * the live-row count where a table was never analysed (a freshly restored copy).
 */
final class RehearsalRows {
  /** The copy is representative when it holds at least this share of the target's rows. */
  static final double REPRESENTATIVE_SHARE = 0.1;

  /** Below this many rows on the target, any copy is close enough. */
  static final long SMALL_TARGET = 10_000;

  private static final String ROWS =
      "SELECT coalesce(sum(CASE WHEN c.reltuples >= 0 THEN c.reltuples ELSE s.n_live_tup END),"
          + " 0)::bigint"
          + " FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
          + " WHERE s.relname NOT IN ('"
          + MigrationActivitiesImpl.HISTORY_TABLE
          + "', '"
          + SchemaDrift.TABLE
          + "')";

  private RehearsalRows() {}

  static long rows(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(ROWS)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The note for the approver when the copy's rows are far fewer than the target's; else none. */
  static List<String> compare(String target, long targetRows, long copyRows) {
    if (targetRows < SMALL_TARGET || copyRows >= targetRows * REPRESENTATIVE_SHARE) {
      return List.of();
    }
    return List.of(
        String.format(
            Locale.ROOT,
            "the copy holds about %,d rows and %s about %,d (pg_class.reltuples): the timings are"
                + " not representative of %s, where rewrites and index builds take longer",
            copyRows,
            target,
            targetRows,
            target));
  }
}
