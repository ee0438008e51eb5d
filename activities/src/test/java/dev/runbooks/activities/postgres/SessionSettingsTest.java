package dev.runbooks.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SessionSettingsTest {
  @Test
  void passesTheOptionsToAProgramInsideItsConnectionStringQuotedAsLibpqWants() {
    assertEquals(
        "--dbname=dbname='orders' options='-c lock_timeout=5000'",
        SessionSettings.dbnameArgument("orders", "-c lock_timeout=5000"));
    // A name cannot end the value and add settings of its own.
    assertEquals(
        "--dbname=dbname='o\\' host=evil \\\\x'",
        SessionSettings.dbnameArgument("o' host=evil \\x", null));
  }
}
