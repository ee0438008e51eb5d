package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kind and target read back from a generated workflow ID, when a listing has no attributes. */
class BusinessKeyTest {
  @Test
  void aGeneratedIdNamesItsKindAndTarget() {
    assertEquals(
        Map.entry("migrate", "orders-eu"),
        ListCommand.parseBusinessKey("migrate-orders-eu-20261203T121500"));
  }

  @Test
  void aSecondRunInTheSameSecondKeepsItsTarget() {
    assertEquals(
        Map.entry("backup", "orders"),
        ListCommand.parseBusinessKey("backup-orders-20261203T121500-2"));
    assertEquals(
        Map.entry("backup", "orders"),
        ListCommand.parseBusinessKey("backup-orders-20261203T121500-20"));
  }

  @Test
  void anIdTheUserChoseNamesNothing() {
    assertEquals(Map.entry("-", "-"), ListCommand.parseBusinessKey("my-own-id"));
  }
}
