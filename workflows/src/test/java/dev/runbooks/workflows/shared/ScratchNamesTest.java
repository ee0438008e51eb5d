package dev.runbooks.workflows.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.backup.BackupIds;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScratchNamesTest {
  private static final String TARGET_63 = "t".repeat(63);

  @Test
  void drillsOfALongTargetGetDistinctNamesWithin63Bytes() {
    String one = BackupIds.scratchDatabase("restore-drill-" + TARGET_63 + "-20261203T061700Z-1a2b");
    String two = BackupIds.scratchDatabase("restore-drill-" + TARGET_63 + "-20261203T061700Z-3c4d");

    assertNotEquals(one, two);
    assertTrue(one.getBytes(StandardCharsets.UTF_8).length <= 63, one);
    assertTrue(two.getBytes(StandardCharsets.UTF_8).length <= 63, two);
    assertTrue(one.startsWith("drill_restore_drill_ttt"), one);
  }

  @Test
  void idsThatSanitizeAlikeStillDiffer() {
    assertNotEquals(
        BackupIds.scratchDatabase("drill-orders-1"), BackupIds.scratchDatabase("drill_orders_1"));
    assertNotEquals(
        BackupIds.scratchDatabase("Drill-Orders-1"), BackupIds.scratchDatabase("drill-orders-1"));
  }

  @Test
  void aShortIdIsKeptWholeBeforeTheHash() {
    String name = ScratchNames.database("rehearse_", "migrate-orders-7");
    assertTrue(name.matches("rehearse_migrate_orders_7_[0-9a-f]{8}"), name);
    assertEquals(name, ScratchNames.database("rehearse_", "migrate-orders-7"));
  }

  @Test
  void aLongPrefixAndIdAlwaysFit() {
    String name = ScratchNames.database("rehearse_", "x".repeat(500));
    assertEquals(63, name.length());
    assertTrue(name.matches("rehearse_x+_[0-9a-f]{8}"), name);
  }
}
