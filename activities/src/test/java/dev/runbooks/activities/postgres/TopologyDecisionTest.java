package dev.runbooks.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rules of {@link TopologyResolver#decide} for states real clusters rarely show. */
class TopologyDecisionTest {
  private static MemberState server(String name, boolean recovery, boolean readOnly, int tli) {
    return new MemberState(
        name, name + ":5432", true, "", recovery, readOnly, null, null, "0/3000000", tli);
  }

  @Test
  void aReadOnlyServerWithoutAFenceIsNotThePrimaryAndTheFixEndsItsReadOnlyMode() {
    ResolvedTopology t =
        TopologyResolver.decide(
            "orders",
            "db1",
            List.of(server("db1", false, true, 1), server("db2", true, false, 1)),
            Optional.empty());
    assertNull(t.primary());
    assertTrue(
        t.refusal().contains("db1 at db1:5432 is read-only (default_transaction_read_only on)"),
        t.refusal());
    assertTrue(t.fix().startsWith("if db1 should be the primary"), t.fix());
    assertTrue(t.fix().contains("ALTER SYSTEM RESET default_transaction_read_only"), t.fix());
  }

  @Test
  void everyMemberInRecoveryPointsAtAnUnplannedFailover() {
    ResolvedTopology t =
        TopologyResolver.decide(
            "orders",
            "db1",
            List.of(server("db1", true, false, 2), server("db2", true, false, 2)),
            Optional.empty());
    assertTrue(t.refusal().startsWith("no member takes writes; db1 at db1:5432 is in recovery"));
    assertTrue(t.fix().contains("runbook failover --target orders --force"), t.fix());
  }

  @Test
  void theRecordNamingTheWritableMemberIsSaidToAgree() {
    EndpointRecord record =
        new EndpointRecord("runbooks/endpoints/orders", 4, "db2", 2, "failover-x", "2026-12-03");
    ResolvedTopology t =
        TopologyResolver.decide(
            "orders",
            "db1",
            List.of(server("db1", true, false, 2), server("db2", false, false, 2)),
            Optional.of(record));
    assertEquals("db2", t.primary());
    assertEquals(List.of(), t.warnings());
    assertTrue(t.decision().contains("the configured primary db1 is in recovery"), t.decision());
    assertTrue(
        t.decision()
            .contains("agrees with the endpoint record runbooks/endpoints/orders (version 4"),
        t.decision());
  }
}
