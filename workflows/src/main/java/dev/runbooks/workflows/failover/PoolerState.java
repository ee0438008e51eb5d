package dev.runbooks.workflows.failover;

import java.util.List;
import java.util.Objects;

/**
 * The target's PgBouncer as a pooler activity left it.
 *
 * @param address its admin console, {@code host:port}
 * @param paused whether it holds its clients' queries now
 * @param databases its {@code [databases]} entries pointing at the new primary (repoint only)
 * @param detail one line for the step and the result
 */
public record PoolerState(String address, boolean paused, List<String> databases, String detail) {
  public PoolerState {
    Objects.requireNonNull(address, "address");
    databases = List.copyOf(databases);
    Objects.requireNonNull(detail, "detail");
  }

  /** The console command that resumes the pooler at {@code address} by hand. */
  public static String manualResume(String address) {
    int colon = address.lastIndexOf(':');
    String host = colon > 0 ? address.substring(0, colon) : address;
    String port = colon > 0 ? address.substring(colon + 1) : "6432";
    return "psql -h " + host + " -p " + port + " -U <admin user> pgbouncer -c RESUME";
  }
}
