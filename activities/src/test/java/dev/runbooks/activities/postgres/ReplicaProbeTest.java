package dev.runbooks.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.PostgresExtension;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReplicaProbeTest {
  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withReplicas(1);

  private static ReplicaProbe.State replayedAt(String replayLsn, Duration sinceReplay) {
    return new ReplicaProbe.State(
        true, false, replayLsn, replayLsn, null, sinceReplay, true, "streaming", null, null);
  }

  @Test
  void lagIsTheDistanceToThePrimaryAndNeverNegative() {
    ReplicaProbe.State state = replayedAt("0/3000000", Duration.ofSeconds(7));
    assertEquals(new ReplicaProbe.Lag(0x100, Duration.ofSeconds(7)), state.lagBehind("0/3000100"));
    assertEquals(
        new ReplicaProbe.Lag(1L << 32, Duration.ofSeconds(7)), state.lagBehind("1/3000000"));
    // Read at another moment, the primary's position may be behind what the replica replayed.
    assertEquals(new ReplicaProbe.Lag(0, Duration.ZERO), state.lagBehind("0/2FFFF00"));
  }

  @Test
  void caughtUpMeansNoTimeBehindHoweverOldTheLastCommit() {
    assertEquals(
        new ReplicaProbe.Lag(0, Duration.ZERO),
        replayedAt("0/3000000", Duration.ofHours(5)).lagBehind("0/3000000"));
  }

  @Test
  void unknownPositionsGiveNoLag() {
    assertNull(replayedAt(null, null).lagBehind("0/3000000"));
    assertNull(replayedAt("0/3000000", null).lagBehind(null));
  }

  @Test
  void readsAStreamingReplicaAndAPrimary() throws Exception {
    try (Connection c = pg.replica(0).connect("postgres")) {
      ReplicaProbe.State state = ReplicaProbe.read(c);
      assertTrue(state.inRecovery());
      assertTrue(state.streaming(), state.toString());
      assertNotNull(state.replayLsn());
      assertEquals("127.0.0.1:" + pg.primary().port(), state.sender());
    }
    try (Connection c = pg.primary().connect("postgres")) {
      ReplicaProbe.State state = ReplicaProbe.read(c);
      assertFalse(state.inRecovery());
      assertNull(state.replayLsn());
    }
  }
}
