package dev.runbooks.workflows.check;

import java.util.Map;
import java.util.Objects;

/**
 * A number a check measured, in base units (bytes, seconds, a count), kept beside its finding so
 * the metrics endpoint can expose the newest check's figures without parsing their text.
 *
 * @param name what was measured, one of the constants below; the endpoint's metric is {@code
 *     runbooks_<name>}
 * @param labels what it was measured on beyond the target (a replica, a slot, a database)
 */
public record Figure(String name, Map<String, String> labels, double value) {
  public static final String REPLICATION_LAG_BYTES = "replication_lag_bytes";
  public static final String REPLICATION_LAG_SECONDS = "replication_lag_seconds";
  public static final String SLOT_RETAINED_WAL_BYTES = "replication_slot_retained_wal_bytes";
  public static final String LONG_TRANSACTIONS = "long_transactions";
  public static final String LOCK_WAITS = "lock_waits";

  /** {@code pg_stat_database.deadlocks} of the target's database: a counter since stats reset. */
  public static final String DEADLOCKS = "deadlocks";

  public static final String CONNECTIONS = "connections";
  public static final String CONNECTIONS_MAX = "connections_max";
  public static final String DATABASE_XID_AGE = "database_xid_age";
  public static final String DATABASE_SIZE_BYTES = "database_size_bytes";

  public Figure {
    Objects.requireNonNull(name, "name");
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** A figure of the target as a whole. */
  public static Figure of(String name, double value) {
    return new Figure(name, Map.of(), value);
  }

  /** A figure of one thing on the target, such as {@code replica} {@code r1}. */
  public static Figure of(String name, String label, String labelValue, double value) {
    return new Figure(name, Map.of(label, labelValue), value);
  }
}
