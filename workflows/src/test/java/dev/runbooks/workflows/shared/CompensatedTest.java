package dev.runbooks.workflows.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a run ends is decided from what compensation did, not from the words describing it. */
class CompensatedTest {
  @Test
  void rolledBackStepsWithoutAFailureEndTheRunRolledBack() {
    Compensated c = new Compensated(List.of("apply", "fence"), List.of("rehearse"), List.of());
    assertTrue(c.rolledBack());
    assertFalse(c.rollbackFailed());
    assertEquals("; rolled back 2 steps", c.detail());
    assertEquals(
        "; rolled back 1 step", new Compensated(List.of("x"), List.of(), List.of()).detail());
  }

  @Test
  void aFailedCleanupIsAFailedRollbackAndRollsNothingBack() {
    Compensated c = new Compensated(List.of("apply"), List.of(), List.of("rehearse (drop failed)"));
    assertTrue(c.rollbackFailed());
    assertFalse(c.rolledBack());
    assertEquals("; rollback FAILED for rehearse (drop failed)", c.detail());
  }

  @Test
  void onlyCleanupsSayCleanedUpAndNothingSaysNothing() {
    Compensated cleaned = new Compensated(List.of(), List.of("rehearse"), List.of());
    assertFalse(cleaned.rolledBack());
    assertEquals("; cleaned up", cleaned.detail());
    assertEquals("", Compensated.NOTHING.detail());
    assertFalse(Compensated.NOTHING.rolledBack());
  }
}
