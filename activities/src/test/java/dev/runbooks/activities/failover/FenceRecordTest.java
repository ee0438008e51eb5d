package dev.runbooks.activities.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class FenceRecordTest {
  @Test
  void roundTripsRolesWithAwkwardNames() {
    FenceRecord r = new FenceRecord("failover-orders-1", true, List.of("app", "a,b|c", "Ünï"));
    assertEquals(r, FenceRecord.decode(r.encode()));
    assertEquals(
        new FenceRecord("x", false, List.of()), FenceRecord.decode("x|readonly=false|roles="));
  }

  @Test
  void keepsWhenTheFenceWasSetAndReadsRecordsFromBeforeItWasKept() {
    FenceRecord r = new FenceRecord("failover-orders-2", true, List.of("app"), "2026-12-03T07:00Z");
    assertEquals(r, FenceRecord.decode(r.encode()));
    assertEquals("at 2026-12-03T07:00Z", FenceRecord.decode(r.encode()).when());
    FenceRecord old = FenceRecord.decode("failover-orders-1|readonly=true|roles=app");
    assertEquals(null, old.at());
    assertEquals("at an unknown time", old.when());
  }

  @Test
  void somethingElseInTheSettingIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> FenceRecord.decode("by hand"));
  }
}
