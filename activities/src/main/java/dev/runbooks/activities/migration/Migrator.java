package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.SessionSettings;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

/**
 * Flyway and the runbook's own down scripts against one database (the target's, or a scratch copy
 * of it), with the lock and statement timeouts set on every connection, and the lock waits of its
 * sessions sampled while a script runs.
 */
final class Migrator {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Migrator.class);

  /** How one database is reached: a new connection each call. */
  interface Opener {
    Connection open() throws SQLException;
  }

  private final Opener opener;
  private final MigrationScripts scripts;
  private final SessionSettings session;
  private final Set<Integer> pids = ConcurrentHashMap.newKeySet();

  /**
   * @param session what the opener sets on each session, set again before each version
   */
  Migrator(Opener opener, MigrationScripts scripts, SessionSettings session) {
    this.opener = opener;
    this.scripts = scripts;
    this.session = session;
  }

  MigrationScripts scripts() {
    return scripts;
  }

  Connection open() throws SQLException {
    return opener.open();
  }

  /**
   * Flyway for this database up to {@code target} ("latest" or a version). With timeouts, each
   * version starts from a reset session with them applied ({@link SessionGuard}).
   */
  Flyway flyway(
      String target, Duration lockTimeout, Duration statementTimeout, Callback... callbacks) {
    List<Callback> all = new ArrayList<>(List.of(callbacks));
    if (lockTimeout != null) {
      all.add(0, new SessionGuard(session, lockTimeout, statementTimeout));
    }
    FluentConfiguration config =
        Flyway.configure(Migrator.class.getClassLoader())
            .dataSource(new Sessions())
            .resourceProvider(new ScriptResources(scripts))
            .table(MigrationActivitiesImpl.HISTORY_TABLE)
            .target(target)
            .cleanDisabled(true)
            // A CREATE INDEX CONCURRENTLY script may start with SET lock_timeout: such a script
            // runs outside a transaction (it must); every other script still runs inside one.
            .mixed(true)
            .loggers("slf4j")
            .ignoreMigrationPatterns("*:pending", "*:future")
            .callbacks(all.toArray(new Callback[0]));
    // Flyway's history lock held in a transaction would make every CREATE INDEX CONCURRENTLY
    // wait for it (and hit lock_timeout): a session advisory lock instead.
    config
        .getConfigurationExtension(PostgreSQLConfigurationExtension.class)
        .setTransactionalLock(false);
    if (lockTimeout != null) {
      config.initSql(timeouts(lockTimeout, statementTimeout));
    }
    return config.load();
  }

  static String timeouts(Duration lockTimeout, Duration statementTimeout) {
    return "SET lock_timeout = '"
        + lockTimeout.toMillis()
        + "ms'; SET statement_timeout = '"
        + statementTimeout.toMillis()
        + "ms'";
  }

  /** The versions the schema history shows applied successfully, oldest first. */
  List<String> applied(Flyway flyway) {
    List<String> versions = new ArrayList<>();
    for (MigrationInfo info : flyway.info().all()) {
      if (info.getVersion() != null && info.getState().isApplied() && !info.getState().isFailed()) {
        versions.add(info.getVersion().getVersion());
      }
    }
    return versions;
  }

  /** The newest applied version, or null. */
  static String current(List<String> applied) {
    String newest = null;
    for (String v : applied) {
      if (newest == null
          || MigrationVersion.fromVersion(v).isNewerThan(MigrationVersion.fromVersion(newest))) {
        newest = v;
      }
    }
    return newest;
  }

  /** Indexes PostgreSQL marks INVALID (a failed CREATE INDEX CONCURRENTLY leaves one). */
  List<String> invalidIndexes() throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = opener.open();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT format('%I.%I', n.nspname, ci.relname) FROM pg_index i"
                    + " JOIN pg_class ci ON ci.oid = i.indexrelid"
                    + " JOIN pg_namespace n ON n.oid = ci.relnamespace"
                    + " WHERE NOT i.indisvalid ORDER BY 1")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  /** What a cleanup after a failed script did: indexes dropped, and what it had to leave. */
  record Cleaned(List<String> dropped, List<String> left) {
    Cleaned {
      dropped = List.copyOf(dropped);
      left = List.copyOf(left);
    }
  }

  /**
   * Drops the INVALID indexes not in {@code before}: what a failed script left. Each drop is
   * bounded by {@code cleanup}; one that gives up is left, with who blocked it and how to finish.
   */
  Cleaned dropNewInvalidIndexes(List<String> before, BoundedCleanup cleanup) throws SQLException {
    List<String> dropped = new ArrayList<>();
    List<String> left = new ArrayList<>();
    for (String index : invalidIndexes()) {
      if (before.contains(index)) {
        continue;
      }
      String drop = "DROP INDEX CONCURRENTLY IF EXISTS " + index;
      try {
        cleanup.execute(drop);
        dropped.add(index);
      } catch (BoundedCleanup.GaveUp e) {
        left.add(
            "could not drop the INVALID index "
                + index
                + " it left: "
                + e.getMessage()
                + ". Then drop it by hand: "
                + drop);
      }
    }
    return new Cleaned(dropped, left);
  }

  /** Cleanups on this database with these bounds. */
  BoundedCleanup cleanup(Duration lockTimeout, Duration statementTimeout) {
    return new BoundedCleanup(opener, lockTimeout, statementTimeout);
  }

  /** A schema history row. */
  record Row(boolean success, int executionMillis) {}

  /** The versioned rows of the schema history by version; empty without a history table. */
  Map<String, Row> history() throws SQLException {
    Map<String, Row> rows = new HashMap<>();
    try (Connection c = opener.open();
        Statement s = c.createStatement()) {
      if (!historyExists(c)) {
        return rows;
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT version, success, execution_time FROM "
                  + MigrationActivitiesImpl.HISTORY_TABLE
                  + " WHERE version IS NOT NULL ORDER BY installed_rank")) {
        while (rs.next()) {
          rows.put(rs.getString(1), new Row(rs.getBoolean(2), rs.getInt(3)));
        }
      }
    }
    return rows;
  }

  /**
   * Deletes the failed history rows of {@code version} that a non-transactional script left, within
   * the bound of {@code cleanup}.
   */
  int deleteFailedRow(String version, BoundedCleanup cleanup) throws SQLException {
    if (!historyExists()) {
      return 0;
    }
    return cleanup.run(
        "deleting the failed schema history row of V" + version,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "DELETE FROM "
                      + MigrationActivitiesImpl.HISTORY_TABLE
                      + " WHERE version = ? AND NOT success")) {
            s.setString(1, version);
            return s.executeUpdate();
          }
        });
  }

  boolean historyExists() throws SQLException {
    try (Connection c = opener.open()) {
      return historyExists(c);
    }
  }

  static boolean historyExists(Connection c) throws SQLException {
    return Jdbc.bool(
        c, "SELECT to_regclass('" + MigrationActivitiesImpl.HISTORY_TABLE + "') IS NOT NULL");
  }

  /**
   * Runs the down script of {@code version} and deletes its history row, in one transaction; a
   * script with CONCURRENTLY in it cannot run in one, so it runs statement by statement and the row
   * goes last.
   */
  void runDown(MigrationScripts.Script script, Duration lockTimeout, Duration statementTimeout)
      throws SQLException, java.io.IOException {
    String sql = MigrationScripts.text(script.down());
    boolean concurrently = sql.toLowerCase(Locale.ROOT).contains("concurrently");
    try (Connection c = opener.open()) {
      track(c);
      try (Statement s = c.createStatement()) {
        s.execute(timeouts(lockTimeout, statementTimeout));
      }
      if (concurrently) {
        c.setAutoCommit(true);
        for (String statement : SqlStatements.split(sql)) {
          try (Statement s = c.createStatement()) {
            s.execute(statement);
          }
        }
        deleteRow(c, script.version());
      } else {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.execute(sql);
          deleteRow(c, script.version());
          c.commit();
        } catch (SQLException e) {
          c.rollback();
          throw e;
        }
      }
    } finally {
      pids.clear();
    }
  }

  private static void deleteRow(Connection c, String version) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "DELETE FROM " + MigrationActivitiesImpl.HISTORY_TABLE + " WHERE version = ?")) {
      s.setString(1, version);
      s.executeUpdate();
    }
  }

  /** Cancels what this migrator's sessions are running (an abort); logs what it cannot. */
  void cancelSessions(String context) {
    try (Connection c = opener.open();
        PreparedStatement s =
            c.prepareStatement("SELECT pg_cancel_backend(pid) FROM unnest(?) pid")) {
      s.setArray(1, c.createArrayOf("int4", pids.toArray(new Integer[0])));
      s.executeQuery().close();
      log.info("{}: aborted, cancelled the running statements of sessions {}", context, pids);
    } catch (SQLException e) {
      log.warn(
          "{}: aborted, but could not cancel the running statements: {}", context, e.getMessage());
    }
  }

  /** The sessions this migrator opened, for the lock-wait sampler. */
  Set<Integer> sessions() {
    return pids;
  }

  private void track(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      pids.add(rs.getInt(1));
    }
  }

  /** What Flyway connects through: the opener, each session's pid remembered. */
  private final class Sessions implements DataSource {
    @Override
    public Connection getConnection() throws SQLException {
      Connection c = opener.open();
      track(c);
      return c;
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException("connections come from the target's settings");
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
