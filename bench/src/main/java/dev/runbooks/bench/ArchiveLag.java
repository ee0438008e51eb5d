package dev.runbooks.bench;

import dev.runbooks.activities.pitr.WalArchive;
import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The WAL archive's lag behind the primary, sampled every {@value #PERIOD_MILLIS} ms on a thread of
 * its own: first the archive's end as the product reads it (the repository's objects, {@link
 * WalArchive#inventory()}'s recoverable end: complete segments and the shipped partial), then the
 * primary's {@code pg_current_wal_lsn()}. Read in that order, a sample never understates the lag.
 */
final class ArchiveLag implements AutoCloseable {
  static final long PERIOD_MILLIS = 100;

  /** One sample: when (ns since the sampler started), the primary's LSN and the archive's end. */
  record Sample(long atNanos, long primaryLsn, long archivedLsn) {
    long bytesBehind() {
      return Math.max(0, primaryLsn - archivedLsn);
    }
  }

  /**
   * What a phase's samples say: the lag in bytes, in seconds of WAL at {@code walRate} (bytes per
   * second written in the phase), and in seconds of time (how long the oldest WAL the archive
   * lacked had been on the primary, to the sampling period).
   */
  record Summary(
      int samples,
      long maxBytes,
      double walRate,
      double walSecondsP50,
      double walSecondsP99,
      double walSecondsMax,
      double timeSecondsP99,
      double timeSecondsMax) {
    String describe() {
      return String.format(
          Locale.ROOT,
          "%d samples; behind by at most %s; as seconds of WAL at %.1f MB/s: p50 %.2f, p99 %.2f,"
              + " max %.2f; as time the oldest unarchived WAL had been on the primary: p99 %.2f,"
              + " max %.2f",
          samples,
          Figures.size(maxBytes),
          walRate / (1 << 20),
          walSecondsP50,
          walSecondsP99,
          walSecondsMax,
          timeSecondsP99,
          timeSecondsMax);
    }
  }

  private final WalArchive archive;
  private final Connection primary;
  private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  private volatile Exception failure;

  private ArchiveLag(WalArchive archive, Connection primary) {
    this.archive = archive;
    this.primary = primary;
    this.thread = new Thread(this::loop, "archive-lag");
    this.thread.setDaemon(true);
  }

  /** Starts sampling; {@link #close()} stops it and closes {@code primary}. */
  static ArchiveLag start(WalArchive archive, Connection primary) {
    ArchiveLag lag = new ArchiveLag(archive, primary);
    lag.thread.start();
    return lag;
  }

  /** The archive's end now, as the product reads it; 0 while it holds nothing. */
  static long archivedLsn(WalArchive archive) throws IOException {
    return archive.inventory().recoverableEnd().orElse(0);
  }

  /** The primary's current WAL position as a number. */
  static long currentLsn(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT (pg_current_wal_lsn() - '0/0')::bigint")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The cluster's current WAL position as a number. */
  static long primaryLsn(LocalCluster cluster) throws SQLException {
    try (Connection c = cluster.connect("postgres")) {
      return currentLsn(c);
    }
  }

  /** Waits until the archive holds the WAL up to {@code lsn}; fails after {@code within}. */
  static void awaitArchived(WalArchive archive, long lsn, Duration within, Path logs)
      throws IOException {
    long deadline = System.nanoTime() + within.toNanos();
    while (archivedLsn(archive) < lsn) {
      if (System.nanoTime() > deadline) {
        throw new BenchException(
            "the WAL archive did not reach "
                + Long.toHexString(lsn)
                + " within "
                + within
                + "; see the worker's log in "
                + logs);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchException("interrupted", e);
      }
    }
  }

  private void loop() {
    long started = System.nanoTime();
    long next = started;
    while (running.get()) {
      try {
        long archived = archivedLsn(archive);
        long current = currentLsn(primary);
        samples.add(new Sample(System.nanoTime() - started, current, archived));
      } catch (IOException | SQLException | RuntimeException e) {
        failure = e;
        return;
      }
      next += PERIOD_MILLIS * 1_000_000;
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        try {
          Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      } else {
        next = System.nanoTime(); // a slow read: the next sample follows at once
      }
    }
  }

  /** Stops sampling; the samples taken. */
  List<Sample> stop() {
    running.set(false);
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw new BenchException("sampling the archive's lag failed: " + failure, failure);
    }
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  @Override
  public void close() throws SQLException {
    running.set(false);
    thread.interrupt();
    primary.close();
  }

  /** The samples' lag, its seconds of WAL at {@code walRate} bytes per second. */
  static Summary summarize(List<Sample> samples, double walRate) {
    if (samples.isEmpty()) {
      throw new BenchException("the archive's lag was never sampled");
    }
    List<Double> walSeconds = new ArrayList<>();
    List<Double> timeSeconds = new ArrayList<>();
    long maxBytes = 0;
    int oldest = 0;
    for (Sample s : samples) {
      maxBytes = Math.max(maxBytes, s.bytesBehind());
      walSeconds.add(walRate > 0 ? s.bytesBehind() / walRate : 0);
      // The first sample whose primary position the archive had not reached yet: the WAL after
      // the archive's end was written after the sample before it (primary positions only grow),
      // whose time is taken, so the lag is never understated by the sampling period.
      while (oldest < samples.size() && samples.get(oldest).primaryLsn() <= s.archivedLsn()) {
        oldest++;
      }
      double behind =
          s.bytesBehind() == 0 || oldest >= samples.size()
              ? 0
              : Math.max(0, (s.atNanos() - samples.get(Math.max(0, oldest - 1)).atNanos()) / 1e9);
      timeSeconds.add(behind);
    }
    return new Summary(
        samples.size(),
        maxBytes,
        walRate,
        percentile(walSeconds, 0.50),
        percentile(walSeconds, 0.99),
        percentile(walSeconds, 1.0),
        percentile(timeSeconds, 0.99),
        percentile(timeSeconds, 1.0));
  }

  /** The nearest-rank percentile {@code p} (0..1] of {@code values}. */
  static double percentile(List<Double> values, double p) {
    List<Double> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }
}
