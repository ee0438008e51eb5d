package dev.runbooks.activities.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;

/**
 * What every session the runbooks open sets, JDBC and {@code pg_dump}/{@code pg_restore} alike, so
 * that no statement outlives the run that issued it and none waits unbounded for a lock.
 *
 * <p>{@code client_connection_check_interval} (PostgreSQL 14+; older servers do not know it and are
 * not sent it) makes the server poll the client's socket while a statement runs: when a worker is
 * killed mid-statement, its statement is cancelled within the interval instead of running on
 * holding its locks. {@code lock_timeout} is the default bound of a lock wait; a migration sets its
 * own (the request's) on the sessions that apply scripts, which wins over this default.
 *
 * @param lockTimeout the default {@code lock_timeout}; zero means none
 * @param clientCheckInterval {@code client_connection_check_interval}; zero means none
 */
public record SessionSettings(Duration lockTimeout, Duration clientCheckInterval) {
  /** 5 s lock waits (the migration lint's advice for DDL) and a 2 s check for dead clients. */
  public static final SessionSettings DEFAULTS =
      new SessionSettings(Duration.ofSeconds(5), Duration.ofSeconds(2));

  /** The first major version with {@code client_connection_check_interval}. */
  static final int CHECK_INTERVAL_SINCE = 14;

  public SessionSettings {
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    Objects.requireNonNull(clientCheckInterval, "clientCheckInterval");
  }

  /** Sets them on a new JDBC session (one round trip). */
  public void apply(Connection c) throws SQLException {
    StringBuilder sql = new StringBuilder("SET lock_timeout = '" + millis(lockTimeout) + "ms'");
    if (checksClients(c)) {
      sql.append("; SET client_connection_check_interval = '")
          .append(millis(clientCheckInterval))
          .append("ms'");
    }
    Jdbc.execute(c, sql.toString());
  }

  /**
   * libpq's {@code options} for a program that connects to the server {@code c} is connected to:
   * pass it with {@link #dbnameArgument}. (A program such as pg_dump may set its own lock_timeout
   * over it; the check for a dead client stays.)
   */
  public String libpqOptions(Connection c) throws SQLException {
    String options = "-c lock_timeout=" + millis(lockTimeout);
    if (checksClients(c)) {
      options += " -c client_connection_check_interval=" + millis(clientCheckInterval);
    }
    return options;
  }

  /**
   * {@code --dbname=dbname='NAME' options='OPTIONS'}: a connection string, so that neither a name
   * holding an '=' nor the options can be read as anything else; {@code options} null leaves them
   * out.
   */
  public static String dbnameArgument(String database, String options) {
    return "--dbname=dbname="
        + conninfoValue(database)
        + (options == null ? "" : " options=" + conninfoValue(options));
  }

  private static String conninfoValue(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static boolean checksClients(Connection c) throws SQLException {
    return c.getMetaData().getDatabaseMajorVersion() >= CHECK_INTERVAL_SINCE;
  }

  private static long millis(Duration d) {
    return Math.max(0, d.toMillis());
  }
}
