package dev.runbooks.activities.config;

import java.util.Objects;

/**
 * Where a PostgreSQL server is and how to reach it.
 *
 * @param sslmode a libpq sslmode: disable, allow, prefer, require, verify-ca or verify-full
 */
public record Endpoint(String host, int port, String database, String sslmode) {
  public Endpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(sslmode, "sslmode");
  }

  /** {@code host:port}, for messages. */
  public String address() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** {@code host:port/database}, for messages. */
  @Override
  public String toString() {
    return address() + "/" + database;
  }
}
