package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.SqlFaults;
import dev.runbooks.workflows.shared.FailureType;
import java.sql.SQLException;
import org.flywaydb.core.api.FlywayException;

/**
 * What a migration's errors mean to the runbook. Database errors follow the one rule of {@link
 * SqlFaults}, with one exception kept on purpose: the error of a migration or down script is that
 * script's verdict, MIGRATION_FAILED (the run rolls back), even when SqlFaults would retry it (a
 * lock or statement timeout, a deadlock, a cancelled statement): retrying would only run the same
 * script into the same wall. Only a lost connection (SQLSTATE class 08) is retried there, because
 * applying is idempotent and the server rolled the script's transaction back.
 */
final class MigrationFaults {
  private MigrationFaults() {}

  /** A database error outside any script: the one rule. */
  static RuntimeException sql(SQLException e, String what) {
    return SqlFaults.classify(e, what);
  }

  /**
   * A Flyway error outside any script (reading the history, validating): the one rule for the
   * database error under it, MIGRATION_FAILED for Flyway's own.
   */
  static RuntimeException flyway(String context, FlywayException e) {
    SQLException sql = rootSql(e);
    if (sql != null) {
      return SqlFaults.classify(sql, "run Flyway (" + context + ")");
    }
    return FailureType.MIGRATION_FAILED.failure(context + ": Flyway: " + rootMessage(e));
  }

  /**
   * The retried fault for a script whose connection was lost (see above), or null when the script's
   * error is its verdict.
   *
   * @param what what could not be done, as in "cannot {@code what}: ..."
   */
  static RuntimeException lostConnection(Throwable e, String what) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql
          && sql.getSQLState() != null
          && sql.getSQLState().startsWith("08")) {
        return SqlFaults.classify(sql, what);
      }
    }
    return null;
  }

  /** True when {@code e} is a lock_timeout (SQLSTATE 55P03). */
  static boolean lockTimeout(Throwable e) {
    SQLException sql = rootSql(e);
    return sql != null && "55P03".equals(sql.getSQLState());
  }

  /** The message of the first SQLException under {@code e}, with its SQLSTATE. */
  static String rootMessage(Throwable e) {
    SQLException sql = rootSql(e);
    if (sql != null) {
      return sql.getMessage().strip()
          + (sql.getSQLState() == null ? "" : " (SQLSTATE " + sql.getSQLState() + ")");
    }
    return e.getMessage().strip();
  }

  private static SQLException rootSql(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql;
      }
    }
    return null;
  }
}
