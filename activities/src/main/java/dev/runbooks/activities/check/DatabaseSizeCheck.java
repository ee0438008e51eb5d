package dev.runbooks.activities.check;

import static dev.runbooks.workflows.check.Severity.OK;

import dev.runbooks.workflows.check.Finding;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The size of the target database. */
final class DatabaseSizeCheck {
  static final String NAME = "database-size";

  private DatabaseSizeCheck() {}

  static List<Finding> run(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT current_database(), pg_database_size(current_database())")) {
      rs.next();
      String database = rs.getString(1);
      long bytes = rs.getLong(2);
      return List.of(
          new Finding(
              NAME,
              OK,
              "database " + database + " is " + Text.bytes(bytes),
              "",
              List.of("pg_database_size: " + bytes + " bytes")));
    }
  }
}
