package dev.runbooks.activities.postgres;

import java.util.Objects;

/**
 * How a libpq program ({@code pg_dump}, {@code pg_restore}) reaches a target's server: what JDBC
 * callers get as a {@link java.sql.Connection}, spelled out for a child process. It holds the
 * password: pass it to the process through {@code PGPASSWORD} in its environment, never in its
 * arguments, and never log it; {@link #toString()} leaves it out.
 *
 * @param password null when the role logs in without one (trust, peer, a {@code .pgpass} file)
 * @param sslmode a libpq sslmode: disable, allow, prefer, require, verify-ca or verify-full
 */
public record ConnectionSpec(
    String host, int port, String database, String user, String password, String sslmode) {
  public ConnectionSpec {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(sslmode, "sslmode");
  }

  /** The same server and login, another database on it (a restore's scratch database). */
  public ConnectionSpec withDatabase(String other) {
    return new ConnectionSpec(host, port, other, user, password, sslmode);
  }

  /** {@code host:port}, for messages. */
  public String address() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return "ConnectionSpec["
        + address()
        + "/"
        + database
        + " as "
        + user
        + (password == null ? ", no password" : ", password ********")
        + ", sslmode="
        + sslmode
        + "]";
  }
}
