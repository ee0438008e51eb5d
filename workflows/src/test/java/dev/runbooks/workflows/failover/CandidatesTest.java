package dev.runbooks.workflows.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.failure.ApplicationFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

class CandidatesTest {
  private static ReplicaState up(String name, String receive, String replay, long lag) {
    return new ReplicaState(
        name, name + ":5432", true, "", true, false, receive, replay, lag, null, null);
  }

  private static ReplicaState down(String name) {
    return ReplicaState.unreachable(name, name + ":5432", "connection refused");
  }

  @Test
  void takesTheMostAdvancedByReplayForASwitchoverAndByReceiptWhenForced() {
    List<ReplicaState> replicas =
        List.of(up("a", "0/9000000", "0/5000000", 100), up("b", "0/6000000", "0/6000000", 50));
    assertEquals("b", Candidates.choose("t", replicas, null, true, 1000).candidate().name());
    assertEquals("a", Candidates.choose("t", replicas, null, false, 1000).candidate().name());
  }

  @Test
  void skipsADownReplicaButRefusesItWhenNamed() {
    List<ReplicaState> replicas = List.of(down("a"), up("b", "0/1", "0/1", 0));
    Candidates.Choice choice = Candidates.choose("t", replicas, null, true, 0);
    assertEquals("b", choice.candidate().name());
    assertTrue(choice.skipped().get(0).startsWith("a down"), choice.skipped().toString());
    ApplicationFailure refused =
        assertThrows(
            ApplicationFailure.class, () -> Candidates.choose("t", replicas, "a", true, 0));
    assertEquals("PREFLIGHT_FAILED", refused.getType());
  }

  @Test
  void refusesLagAboveTheMaximumAndUnknownNames() {
    List<ReplicaState> replicas = List.of(up("a", "0/1", "0/1", 2048));
    assertEquals(
        "LAG_TOO_HIGH",
        assertThrows(
                ApplicationFailure.class, () -> Candidates.choose("t", replicas, null, true, 1024))
            .getType());
    assertEquals(
        "BAD_INPUT",
        assertThrows(
                ApplicationFailure.class, () -> Candidates.choose("t", replicas, "z", true, 1024))
            .getType());
  }

  @Test
  void lsnsCompareAsNumbers() {
    assertTrue(Lsn.parse("1/0") > Lsn.parse("0/FFFFFFFF"));
    assertEquals("3.2 MB", Lsn.bytes(3_355_443));
  }
}
