package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.postgres.TransientSqlException;
import io.temporal.failure.ApplicationFailure;
import java.sql.SQLException;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;

class MigrationFaultsTest {
  private static FlywayException flyway(String state) {
    return new FlywayException("Migration failed", new SQLException("server said no", state));
  }

  @Test
  void aScriptsOwnErrorIsItsVerdictEvenWhereTheOneRuleWouldRetry() {
    // lock_timeout, statement_timeout (an abort too), deadlock: the run rolls back, no retry.
    for (String state : new String[] {"55P03", "57014", "40P01", "23505"}) {
      assertNull(MigrationFaults.lostConnection(flyway(state), "apply V1"), state);
    }
  }

  @Test
  void aScriptWhoseConnectionWasLostIsRetried() {
    RuntimeException e = MigrationFaults.lostConnection(flyway("08006"), "apply V1");
    assertInstanceOf(TransientSqlException.class, e);
    assertTrue(e.getMessage().startsWith("cannot apply V1: server said no"), e.getMessage());
  }

  @Test
  void flywayErrorsOutsideScriptsFollowTheOneRule() {
    assertInstanceOf(
        TransientSqlException.class, MigrationFaults.flyway("validating", flyway("57P01")));
    ApplicationFailure denied =
        assertInstanceOf(
            ApplicationFailure.class, MigrationFaults.flyway("validating", flyway("42501")));
    assertEquals("PERMISSION_DENIED", denied.getType());
    assertTrue(denied.isNonRetryable());
    ApplicationFailure own =
        assertInstanceOf(
            ApplicationFailure.class,
            MigrationFaults.flyway("validating", new FlywayException("no such target version")));
    assertEquals("MIGRATION_FAILED", own.getType());
    assertTrue(own.getOriginalMessage().contains("no such target version"));
  }
}
