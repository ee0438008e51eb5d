package dev.runbooks.activities.failover;

import static dev.runbooks.activities.failover.FailoverSql.admin;
import static dev.runbooks.activities.failover.FailoverSql.failure;
import static dev.runbooks.activities.failover.FailoverSql.string;
import static dev.runbooks.activities.failover.FailoverSql.timeline;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.failover.CatchUp;
import dev.runbooks.workflows.failover.CatchUpInput;
import dev.runbooks.workflows.failover.Lsn;
import dev.runbooks.workflows.failover.Promotion;
import dev.runbooks.workflows.failover.ServerInput;
import dev.runbooks.workflows.failover.Verification;
import dev.runbooks.workflows.failover.VerifyInput;
import dev.runbooks.workflows.shared.ActivityProgress;
import dev.runbooks.workflows.shared.FailureType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover's catch-up, promote and verify steps: the candidate replays up to the fenced
 * primary's last position, leaves recovery, and proves it is a primary on a later timeline with a
 * canary write that reads back.
 */
final class PromotionStage {
  /** Where the canary write of verification goes, on the new primary, in the target's database. */
  static final String CANARY_TABLE = "public.runbooks_failover_canary";

  static final Duration POLL = Duration.ofMillis(10);

  private static final Logger log = LoggerFactory.getLogger(PromotionStage.class);

  private final TargetConnections connections;
  private final Clock clock;

  PromotionStage(TargetConnections connections, Clock clock) {
    this.connections = connections;
    this.clock = clock;
  }

  CatchUp awaitReplay(CatchUpInput input) {
    long wanted = Lsn.parse(input.lsn());
    long deadline = System.nanoTime() + input.slice().toNanos();
    try (Connection c = connections.replica(input.target(), input.replica());
        PreparedStatement s =
            c.prepareStatement(
                "SELECT pg_last_wal_replay_lsn()::text, pg_last_wal_receive_lsn()::text")) {
      Long first = null;
      while (true) {
        String replay;
        String receive;
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          replay = rs.getString(1);
          receive = rs.getString(2);
        }
        long replayed = Lsn.parse(replay);
        long received = Lsn.parse(receive);
        // Replay ends at a record's end; a position read on the primary may sit past a page
        // header. Everything received and replayed, and received past the wanted position, is
        // caught up as well.
        boolean caughtUp = replayed >= wanted || (received >= wanted && replayed == received);
        long remaining = caughtUp ? 0 : Math.max(0, wanted - replayed);
        if (first == null) {
          first = remaining;
        }
        FailoverSql.heartbeat(new ActivityProgress("catch-up", first - remaining, first, "bytes"));
        if (caughtUp || System.nanoTime() > deadline) {
          return new CatchUp(replay == null ? "0/0" : replay, remaining);
        }
        FailoverSql.sleep(POLL);
      }
    } catch (SQLException e) {
      throw failure("follow the replay of " + input.replica(), e);
    }
  }

  Promotion promote(ServerInput input) {
    try (Connection c = connections.replica(input.target(), input.server())) {
      boolean already = !Jdbc.bool(c, "SELECT pg_is_in_recovery()");
      if (!already && !Jdbc.bool(c, "SELECT pg_promote(true, 60)")) {
        throw new IllegalStateException(
            "pg_promote on "
                + input.server()
                + " did not finish within 60 s; it is retried. Its server log says why it is"
                + " slow.");
      }
      String lsn = string(c, "SELECT pg_current_wal_lsn()::text");
      log.info("{} is out of recovery at {} (already: {})", input.server(), lsn, already);
      return new Promotion(already, timeline(c), lsn);
    } catch (SQLException e) {
      throw failure("promote " + input.server(), e);
    }
  }

  boolean isInRecovery(ServerInput input) {
    try (Connection c = connections.replica(input.target(), input.server())) {
      return Jdbc.bool(c, "SELECT pg_is_in_recovery()");
    } catch (SQLException e) {
      throw failure("ask " + input.server() + " whether it is in recovery", e);
    }
  }

  Verification verify(VerifyInput input) {
    String server = input.server();
    try (Connection c = admin(connections.replica(input.target(), server))) {
      if (Jdbc.bool(c, "SELECT pg_is_in_recovery()")) {
        throw new IllegalStateException(
            server + " is still in recovery after promotion; verification is retried");
      }
      int timeline = timeline(c);
      if (input.oldTimeline() > 0 && timeline <= input.oldTimeline()) {
        throw FailureType.VERIFICATION_FAILED.failure(
            server
                + " is on timeline "
                + timeline
                + ", expected a timeline after the old primary's "
                + input.oldTimeline()
                + ": it may not have been promoted from this primary's WAL. Compare both"
                + " servers (pg_control_checkpoint()) before sending writes to it.");
      }
      for (String role : input.reopenRoles()) {
        Jdbc.execute(c, "ALTER ROLE " + Jdbc.identifier(role) + " LOGIN");
      }
      Instant written = canaryWrite(c, input.canaryKey());
      try (PreparedStatement s =
          c.prepareStatement("SELECT count(*) FROM " + CANARY_TABLE + " WHERE run_id = ?")) {
        s.setString(1, input.canaryKey());
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          if (rs.getInt(1) != 1) {
            throw FailureType.VERIFICATION_FAILED.failure(
                "the canary write on "
                    + server
                    + " did not read back: look at its server log before sending writes to it");
          }
        }
      }
      return new Verification(timeline, string(c, "SELECT pg_current_wal_lsn()::text"), written);
    } catch (SQLException e) {
      throw failure("verify " + server, e);
    }
  }

  private Instant canaryWrite(Connection c, String key) throws SQLException {
    String upsert =
        "INSERT INTO "
            + CANARY_TABLE
            + " (run_id) VALUES (?) ON CONFLICT (run_id) DO UPDATE SET written_at = now()";
    try (PreparedStatement s = c.prepareStatement(upsert)) {
      s.setString(1, key);
      s.executeUpdate();
      return clock.instant();
    } catch (SQLException e) {
      if (!"42P01".equals(e.getSQLState())) {
        throw e;
      }
    }
    Jdbc.execute(
        c,
        "CREATE TABLE IF NOT EXISTS "
            + CANARY_TABLE
            + " (run_id text PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())");
    try (PreparedStatement s = c.prepareStatement(upsert)) {
      s.setString(1, key);
      s.executeUpdate();
      return clock.instant();
    }
  }
}
