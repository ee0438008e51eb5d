package dev.runbooks.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.shared.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqlFaultsTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  @Test
  void retriesWhatARetryCanFix() {
    for (String state :
        new String[] {"08006", "08001", "40001", "40P01", "53300", "57P01", "55P03"}) {
      SQLException e = new SQLException("x", state);
      assertTrue(SqlFaults.isTransient(e), state);
      assertNull(SqlFaults.permanentType(e), state);
      assertInstanceOf(TransientSqlException.class, SqlFaults.classify(e, "do it"), state);
    }
    assertTrue(SqlFaults.isTransient(new SQLException("driver I/O, no state")));
  }

  @Test
  void givesUpOnWhatARetryCannotFix() {
    assertEquals(
        FailureType.AUTHENTICATION, SqlFaults.permanentType(new SQLException("x", "28P01")));
    assertEquals(
        FailureType.PERMISSION_DENIED, SqlFaults.permanentType(new SQLException("x", "42501")));
    assertEquals(FailureType.NOT_FOUND, SqlFaults.permanentType(new SQLException("x", "3D000")));
    assertEquals(FailureType.SQL_ERROR, SqlFaults.permanentType(new SQLException("x", "42P01")));
    RuntimeException failure =
        SqlFaults.classify(
            new SQLException("permission denied for table t", "42501"),
            "read t",
            "Fix: GRANT SELECT ON t TO the admin role");
    ApplicationFailure af = assertInstanceOf(ApplicationFailure.class, failure);
    assertTrue(af.isNonRetryable());
    assertEquals("PERMISSION_DENIED", af.getType());
    assertEquals(
        "cannot read t: permission denied for table t (SQLSTATE 42501). Fix: GRANT SELECT ON t TO"
            + " the admin role",
        af.getOriginalMessage());
  }

  @Test
  void classifiesWhatARealServerSays() throws SQLException {
    pg.primary()
        .execute("postgres", "CREATE ROLE faults_reader LOGIN", "CREATE TABLE guarded (i int)");
    try (Connection c = pg.primary().connect("postgres")) {
      Jdbc.execute(c, "SET ROLE faults_reader");
      SQLException denied =
          assertThrows(SQLException.class, () -> Jdbc.string(c, "SELECT count(*) FROM guarded"));
      assertEquals(FailureType.PERMISSION_DENIED, SqlFaults.permanentType(denied));
      Jdbc.execute(c, "RESET ROLE");
      SQLException missing =
          assertThrows(SQLException.class, () -> Jdbc.string(c, "SELECT * FROM no_such_table"));
      assertEquals(FailureType.SQL_ERROR, SqlFaults.permanentType(missing));
      assertFalse(SqlFaults.isTransient(missing));
      Jdbc.execute(c, "SET statement_timeout = '50ms'");
      SQLException cancelled =
          assertThrows(SQLException.class, () -> Jdbc.string(c, "SELECT pg_sleep(5)"));
      assertTrue(SqlFaults.isTransient(cancelled), SqlFaults.describe(cancelled));
    }
  }

  @Test
  void quotesSoThatNoNameChangesTheStatement() throws SQLException {
    String name = "we\"ird'; DROP TABLE x; --";
    try (Connection c = pg.primary().connect("postgres")) {
      assertEquals(name, Jdbc.string(c, "SELECT " + Jdbc.literal(name)).orElseThrow(), "literal");
      Jdbc.execute(c, "CREATE TEMP TABLE " + Jdbc.identifier(name) + " (i int)");
      assertTrue(
          Jdbc.bool(
              c, "SELECT to_regclass(" + Jdbc.literal(Jdbc.identifier(name)) + ") IS NOT NULL"));
      assertEquals("a\\b", Jdbc.string(c, "SELECT " + Jdbc.literal("a\\b")).orElseThrow());
    }
  }
}
