package dev.runbooks.bench;

import static dev.runbooks.bench.Figures.secs;

import dev.runbooks.activities.pitr.WalArchive;
import dev.runbooks.bench.PitrRuns.BaseRun;
import dev.runbooks.testing.LocalCluster;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The phase of {@code bench/pitr} after the archive at full speed and before the restores: the
 * worker's peak RSS at a second database size. {@code pgbench -i} at the run's scale fills a second
 * database while the archiver runs (so it archives under load at the bigger size), the archive is
 * awaited, and one more {@code runbook backup --type physical} goes through the same worker. VmHWM
 * is the worker's high-water mark since it started: if archiving and backing up the grown cluster
 * does not raise it, the worker's memory is flat in the database's size. The phase's own peak is
 * read too (the kernel's VmHWM reset when it begins).
 */
final class PitrGrowth {
  static final String DB = "bench2";

  /**
   * What the phase measured.
   *
   * @param bytesBefore the measured databases' size when the phase began
   * @param bytesAfter their size with the second database, before its base backup
   * @param init how long {@code pgbench -i} of the second database took
   * @param walBytes the WAL the primary wrote meanwhile
   * @param archived how long after {@code pgbench -i} ended the archive held that WAL
   * @param base the base backup at the grown size
   * @param rssBeforeKb the worker's VmHWM when the phase began (everything before it included)
   * @param rssAfterKb the worker's VmHWM after the phase
   * @param phaseStartRssKb the worker's RSS when the phase began: its own peak is no lower
   * @param phaseRssKb the phase's own peak: the worker's VmHWM reset when it began
   */
  record Result(
      long bytesBefore,
      long bytesAfter,
      Duration init,
      long walBytes,
      Duration archived,
      BaseRun base,
      long rssBeforeKb,
      long rssAfterKb,
      long phaseStartRssKb,
      long phaseRssKb) {
    /** How far the phase raised the worker's peak RSS, in MB. */
    double rssGrowthMb() {
      return (rssAfterKb - rssBeforeKb) / 1024.0;
    }
  }

  private final BackupRuns backupRuns;
  private final PitrRuns runs;
  private final int scale;
  private final Duration catchUp;
  private final Path logs;
  private final PrintStream err;

  PitrGrowth(
      BackupRuns backupRuns,
      PitrRuns runs,
      int scale,
      Duration catchUp,
      Path logs,
      PrintStream err) {
    this.backupRuns = backupRuns;
    this.runs = runs;
    this.scale = scale;
    this.catchUp = catchUp;
    this.logs = logs;
    this.err = err;
  }

  Result grow(LocalCluster cluster, WalArchive archive, BenchWorker worker, Path config)
      throws Exception {
    long rssBefore = worker.peakRssKb();
    worker.resetPhasePeak();
    long phaseStartRss = worker.phasePeakRssKb();
    long bytesBefore = databaseBytes(cluster, List.of(PitrBench.DB));
    err.println(
        String.format(
            Locale.ROOT,
            "== growth: a second database of the same scale while the archiver runs (%s now;"
                + " worker's peak RSS so far %.0f MB)",
            Figures.size(bytesBefore),
            rssBefore / 1024.0));
    cluster.execute("postgres", "CREATE DATABASE " + DB);
    long lsnBefore = ArchiveLag.primaryLsn(cluster);
    Duration init = backupRuns.pgbenchInit(scale, DB);
    long lsnAfter = ArchiveLag.primaryLsn(cluster);
    long ended = System.nanoTime();
    ArchiveLag.awaitArchived(archive, lsnAfter, catchUp, logs);
    Duration archived = Duration.ofNanos(System.nanoTime() - ended);
    long bytesAfter = databaseBytes(cluster, List.of(PitrBench.DB, DB));
    err.println(
        String.format(
            Locale.ROOT,
            "   pgbench -i %s, %s of WAL, in the archive %s after it ended; databases now %s",
            secs(init),
            Figures.size(lsnAfter - lsnBefore),
            secs(archived),
            Figures.size(bytesAfter)));
    BaseRun base = runs.baseBackup(worker, config);
    return new Result(
        bytesBefore,
        bytesAfter,
        init,
        lsnAfter - lsnBefore,
        archived,
        base,
        rssBefore,
        worker.peakRssKb(),
        phaseStartRss,
        worker.phasePeakRssKb());
  }

  /** The summed size of {@code databases} on {@code cluster}, in bytes. */
  static long databaseBytes(LocalCluster cluster, List<String> databases) throws SQLException {
    try (Connection c = cluster.connect("postgres");
        PreparedStatement s =
            c.prepareStatement(
                "SELECT sum(pg_database_size(datname))::bigint FROM pg_database"
                    + " WHERE datname = ANY (?)")) {
      Array names = c.createArrayOf("text", databases.toArray());
      s.setArray(1, names);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
