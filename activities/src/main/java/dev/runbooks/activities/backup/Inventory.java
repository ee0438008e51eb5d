package dev.runbooks.activities.backup;

import dev.runbooks.activities.postgres.Jdbc;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * What a database holds, read the same way when a backup is taken (in the dump's snapshot) and
 * after it is restored, so that a drill compares like with like: the exact row count of every user
 * table, and a normalised, sorted list of its schema objects, every kind {@code pg_dump} writes
 * ({@link InventoryQueries}). Objects that belong to an extension are left out: the extension
 * brings them back.
 *
 * <p>Names are printed with {@code search_path} set to {@code pg_catalog}, so every definition is
 * schema-qualified and reads the same whatever the role's own search path is.
 */
final class Inventory {
  /** Row counts by {@code schema.table}, and the objects, sorted. */
  record Contents(Map<String, Long> rowCounts, List<String> objects) {
    Contents {
      rowCounts = Map.copyOf(rowCounts);
      objects = objects.stream().sorted().toList();
    }

    long rows() {
      return rowCounts.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private Inventory() {}

  /**
   * Reads the inventory in {@code connection}'s open transaction: for a backup, the one that
   * exported the dump's snapshot, so that this sees exactly what the dump holds; after a restore, a
   * REPEATABLE READ one, so that the counts and the objects agree with each other.
   *
   * @param version the {@link InventoryQueries} version: which kinds of object to list
   * @param tablesCounted told the number of tables counted so far, after each one
   */
  static Contents read(Connection connection, int version, LongConsumer tablesCounted)
      throws SQLException {
    Objects.requireNonNull(tablesCounted, "tablesCounted");
    if (connection.getAutoCommit()) {
      throw new IllegalStateException("the inventory is read in a transaction: autocommit is on");
    }
    try (Statement s = connection.createStatement()) {
      // Until the transaction ends; the session's own search path comes back then.
      s.execute("SET LOCAL search_path = pg_catalog");
      List<String> objects = new ArrayList<>();
      for (String query : InventoryQueries.objects(version)) {
        try (ResultSet rs = s.executeQuery(query)) {
          while (rs.next()) {
            objects.add(rs.getString(1));
          }
        }
      }
      List<String[]> tables = new ArrayList<>();
      try (ResultSet rs = s.executeQuery(InventoryQueries.TABLES)) {
        while (rs.next()) {
          tables.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
      Map<String, Long> counts = new LinkedHashMap<>();
      long counted = 0;
      for (String[] table : tables) {
        try (ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM "
                    + Jdbc.identifier(table[0])
                    + "."
                    + Jdbc.identifier(table[1]))) {
          rs.next();
          counts.put(table[0] + "." + table[1], rs.getLong(1));
        }
        tablesCounted.accept(++counted);
      }
      return new Contents(counts, objects);
    }
  }
}
