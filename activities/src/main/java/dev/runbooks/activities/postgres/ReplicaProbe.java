package dev.runbooks.activities.postgres;

import dev.runbooks.workflows.failover.Lsn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A replica's state as the replica itself sees it (in recovery, replay paused, received and
 * replayed WAL, its WAL receiver), and its lag behind a primary's position. The failover's topology
 * probe and the replicas check both read replicas here, so they agree on what a replica is and how
 * far behind it is.
 */
public final class ReplicaProbe {
  private ReplicaProbe() {}

  /**
   * What one replica reported.
   *
   * @param inRecovery false for a server that takes writes itself; every other field is then null
   *     or false
   * @param lastReplayedAt when the last replayed transaction committed, as the server prints it
   * @param sinceReplay how long ago that was; null when nothing was replayed yet
   * @param receiverRuns a WAL receiver process exists (its columns may still be hidden)
   * @param receiverStatus its status; null when none runs or the role cannot see it
   * @param sender the server it receives from, {@code host:port}; null when unknown
   * @param primaryEndLsn the end of the sender's WAL as last reported (latest_end_lsn)
   */
  public record State(
      boolean inRecovery,
      boolean replayPaused,
      String receiveLsn,
      String replayLsn,
      String lastReplayedAt,
      Duration sinceReplay,
      boolean receiverRuns,
      String receiverStatus,
      String sender,
      String primaryEndLsn) {

    public boolean streaming() {
      return "streaming".equals(receiverStatus);
    }

    /**
     * How far replay is behind {@code primaryLsn}, a position read on the primary at another
     * moment: never negative (either server may have moved on between the two reads). Null when
     * either position is unknown.
     */
    public Lag lagBehind(String primaryLsn) {
      if (primaryLsn == null || replayLsn == null) {
        return null;
      }
      long bytes = Math.max(0, Lsn.parse(primaryLsn) - Lsn.parse(replayLsn));
      // Seconds behind only mean something while the primary has WAL the replica has not
      // replayed; on an idle primary the last replayed commit is old but nothing is missing.
      return new Lag(bytes, bytes == 0 ? Duration.ZERO : sinceReplay);
    }
  }

  /**
   * Replay lag.
   *
   * @param time since the last replayed commit while there is lag; null when unknown
   */
  public record Lag(long bytes, Duration time) {}

  /** Reads the replica's state in two statements on {@code replica}. */
  public static State read(Connection replica) throws SQLException {
    if (!Jdbc.bool(replica, "SELECT pg_is_in_recovery()")) {
      return new State(false, false, null, null, null, null, false, null, null, null);
    }
    boolean paused;
    String receiveLsn;
    String replayLsn;
    String replayedAt;
    Duration sinceReplay;
    try (Statement s = replica.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT pg_is_wal_replay_paused(), pg_last_wal_receive_lsn()::text,"
                    + " pg_last_wal_replay_lsn()::text, pg_last_xact_replay_timestamp(),"
                    + " extract(epoch FROM now() - pg_last_xact_replay_timestamp())")) {
      rs.next();
      paused = rs.getBoolean(1);
      receiveLsn = rs.getString(2);
      replayLsn = rs.getString(3);
      replayedAt = rs.getString(4);
      double seconds = rs.getDouble(5);
      sinceReplay = rs.wasNull() ? null : Duration.ofNanos(Math.round(seconds * 1_000_000_000d));
    }
    try (Statement s = replica.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT status, sender_host, sender_port, latest_end_lsn::text"
                    + " FROM pg_stat_wal_receiver")) {
      if (!rs.next()) {
        return new State(
            true, paused, receiveLsn, replayLsn, replayedAt, sinceReplay, false, null, null, null);
      }
      String sender = rs.getString(2) == null ? null : rs.getString(2) + ":" + rs.getInt(3);
      return new State(
          true,
          paused,
          receiveLsn,
          replayLsn,
          replayedAt,
          sinceReplay,
          true,
          rs.getString(1),
          sender,
          rs.getString(4));
    }
  }
}
