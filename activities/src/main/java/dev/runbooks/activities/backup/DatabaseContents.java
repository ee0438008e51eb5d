package dev.runbooks.activities.backup;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * What a database holds, read as a logical backup's drill reads it ({@link Inventory}): the row
 * count of every user table and the sorted object list. A physical drill compares the primary's
 * with a point-in-time restore's the same way.
 */
public record DatabaseContents(Map<String, Long> rowCounts, List<String> objects) {
  public DatabaseContents {
    rowCounts = Map.copyOf(rowCounts);
    objects = List.copyOf(objects);
  }

  /** Reads the database {@code connection} is on, in its current transaction. */
  public static DatabaseContents read(Connection connection) throws SQLException {
    Inventory.Contents read = Inventory.read(connection, InventoryQueries.CURRENT, tables -> {});
    return new DatabaseContents(read.rowCounts(), read.objects());
  }
}
