package dev.runbooks.activities.pitr;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

/** What the WAL archive's tests ask of clusters and archives. */
public final class WalTestSupport {
  private WalTestSupport() {}

  /** The cluster's current WAL position. */
  public static long currentLsn(LocalCluster cluster) throws SQLException {
    return lsn(cluster, "SELECT pg_current_wal_lsn()::text");
  }

  /** The restart LSN of the archiver's slot for {@code target}; fails when there is no slot. */
  public static long slotRestart(LocalCluster cluster, String target) throws SQLException {
    return lsn(
        cluster,
        "SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = '"
            + ArchiveSlot.slotName(target)
            + "'");
  }

  private static long lsn(LocalCluster cluster, String sql) throws SQLException {
    try (Connection c = cluster.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next(), "no row for " + sql);
      return WalSegment.parseLsn(rs.getString(1));
    }
  }

  /**
   * Waits until the archive reaches {@code lsn}; fails with what it holds after {@code timeout}.
   */
  public static void awaitArchived(WalArchive archive, long lsn, Duration timeout)
      throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      try {
        if (archive.inventory().recoverableEnd().orElse(0) >= lsn) {
          return;
        }
      } catch (IOException e) {
        // an object replaced while it was listed: look again
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "the archive did not reach "
            + WalSegment.formatLsn(lsn)
            + " within "
            + timeout
            + ": "
            + archive.inventory().describe());
  }

  /** Stops and removes the cluster a PITR restore left running in {@code dataDir}. */
  public static void discardRestored(Path dataDir, PgBinaries binaries) throws IOException {
    PitrRecovery recovery = new PitrRecovery(null, new ServerHost(binaries));
    try (Heartbeat heartbeat = Heartbeat.start("cleanup", 0, "")) {
      recovery.discard(dataDir, heartbeat);
    }
  }

  /** Whether {@code text} (ASCII) occurs in {@code bytes}. */
  public static boolean contains(byte[] bytes, String text) {
    // Latin-1 maps each byte to one char, so the search is byte for byte.
    return new String(bytes, StandardCharsets.ISO_8859_1).contains(text);
  }

  public static boolean contains(byte[] bytes, byte[] text) {
    return contains(bytes, new String(text, StandardCharsets.ISO_8859_1));
  }
}
