package dev.runbooks.bench;

import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKeys;
import dev.runbooks.activities.backup.repository.BackupRepositories;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.pitr.WalArchive;
import dev.runbooks.bench.ArchiveLag.Sample;
import dev.runbooks.bench.PitrRuns.BaseRun;
import dev.runbooks.bench.PitrRuns.RestoreRun;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Point-in-time recovery against its floors, in one run on one throwaway cluster filled by {@code
 * pgbench -i}, with the archiver ({@code runbook archive start}) running on a worker JVM ({@code
 * runbook worker}, {@code -Xmx256m -XX:+UseSerialGC}) beside an in-memory Temporal of its own:
 *
 * <ol>
 *   <li>the archive's lag on a nearly idle primary (one small insert a second);
 *   <li>{@code runbook backup --type physical} against {@code pg_basebackup -Ft -X none -D - | zstd
 *       -3 > FILE}, interleaved;
 *   <li>the archive's lag while pgbench writes at full speed, then a restore point;
 *   <li>the worker's peak RSS (VmHWM) through the archive and the base backups;
 *   <li>the databases grown to about twice their size ({@link PitrGrowth}) while the archiver runs,
 *       one more base backup, and the worker's peak RSS again: flat in the database's size or not;
 *   <li>{@code runbook restore --type physical --to-restore-point} of the newest base backup and
 *       that WAL against its floor: the same base backup (decrypted beforehand) untarred, the same
 *       WAL replayed from a local directory with {@code restore_command = 'cp ...'}, interleaved;
 *       the worker's peak RSS after them is printed, not part of the figure.
 * </ol>
 *
 * The last lines are the {@code FIGURE} lines.
 */
public final class PitrBench implements BenchMain.Measurement {
  static final String DB = "bench";
  private static final Duration CATCH_UP = Duration.ofMinutes(10);

  static final BenchMain.Program<PitrOptions> PROGRAM =
      new BenchMain.Program<>(
          "bench/pitr", PitrOptions.USAGE, "runbooks-pitr-", PitrBench::parse, PitrBench::new);

  public static void main(String[] args) {
    System.exit(PROGRAM.run(args, System.out, System.err));
  }

  private final PitrOptions options;
  private final BenchEnvironment env;
  private final WorkDir work;
  private final PgBinaries binaries;
  private final BackupRuns backupRuns;
  private final PitrRuns runs;
  private final PrintStream out;
  private final PrintStream err;

  private PitrBench(PitrOptions options, BenchEnvironment env, PrintStream out, PrintStream err) {
    this.options = options;
    this.env = env;
    this.work = env.work();
    this.binaries = PgBinaries.require();
    this.backupRuns = new BackupRuns(env, binaries, options.runbookJar(), err);
    this.runs = new PitrRuns(env, binaries, backupRuns, err);
    this.out = out;
    this.err = err;
  }

  private static PitrOptions parse(String[] args) {
    PitrOptions options = PitrOptions.parse(args);
    PgBinaries binaries = PgBinaries.require();
    for (String tool : List.of("pgbench", "pg_basebackup", "pg_receivewal", "pg_ctl")) {
      binaries.bin(tool);
    }
    for (String program : List.of(BackupRuns.ZSTD, "tar")) {
      if (!BackupBench.onPath(program)) {
        throw new BenchMain.Unmet(
            "expected the "
                + program
                + " program on PATH for the floors, but there is none. Install it: apt-get"
                + " install "
                + program
                + " (Debian/Ubuntu), dnf install "
                + program
                + " (Fedora/RHEL).");
      }
    }
    if (!Files.isReadable(Path.of("/proc/self/status"))) {
      throw new BenchMain.Unmet(
          "expected Linux's /proc/<pid>/status to read the worker's peak RSS from, but there is"
              + " none here. Run it on Linux.");
    }
    return options;
  }

  @Override
  public void measure() throws Exception {
    String loadAtStart = Figures.loadAverages();
    work.readableByAll(); // the restored clusters under it run as the server's user
    LocalCluster cluster = prepareCluster();
    long dbBytes = PitrGrowth.databaseBytes(cluster, List.of(DB));
    Path keyset = work.resolve("backup-keyset.json");
    Path config =
        new RunbookConfig("# Written by bench/pitr for a throwaway cluster.\n")
            .target(PitrRuns.TARGET, cluster, DB)
            .setting("repository: file://" + work.resolve("repository"))
            .setting("encryption: local-keyset:" + keyset)
            .write(work.resolve("runbooks.yaml"));
    BackupRepository repository = BackupRepositories.open("file://" + work.resolve("repository"));

    PitrReport.Results.Builder results = new PitrReport.Results.Builder(dbBytes);
    err.println("== Temporal in memory (runbook dev), not measured");
    try (BenchWorker temporal = backupRuns.temporal(config);
        // Its own data directory: the WAL spool of a target named bench is not shared with
        // another run's (the default is under the user's home). INFO: the base backup's split.
        BenchWorker worker =
            backupRuns.worker(
                "worker-pitr",
                config,
                Map.of(
                    "RUNBOOKS_DATA_DIR",
                    work.resolve("worker-data").toString(),
                    "RUNBOOKS_LOG_LEVEL",
                    "INFO"),
                temporal)) {
      err.println("== runbook archive start --target " + PitrRuns.TARGET);
      backupRuns.client(
          "archive-start",
          worker,
          "archive",
          "start",
          "--target",
          PitrRuns.TARGET,
          "--config",
          config.toString());
      KeyEncryptionKey kek = awaitKeyset(keyset);
      WalArchive archive = new WalArchive(repository, kek, PitrRuns.TARGET, Clock.systemUTC());
      awaitArchived(archive, ArchiveLag.primaryLsn(cluster));

      err.println("== archive lag, nearly idle (one insert a second) for " + options.idle());
      results.idle(idleLag(cluster, archive));

      List<BaseRun> floors = new ArrayList<>();
      List<BaseRun> bases = new ArrayList<>();
      Path floorFile = work.resolve("floor-base.tar.zst");
      for (int r = 1; r <= options.runs(); r++) {
        err.println("== round " + r + "/" + options.runs() + ": base backups");
        if (r % 2 == 1) {
          floors.add(runs.floorBaseBackup(floorFile));
          bases.add(runs.baseBackup(worker, config));
        } else {
          bases.add(runs.baseBackup(worker, config));
          floors.add(runs.floorBaseBackup(floorFile));
        }
      }
      results.baseBackups(floors, bases).rssAfterBaseBackups(worker.peakRssKb());

      err.println(
          "== archive lag while pgbench -c "
              + options.clients()
              + " writes at full speed for "
              + options.wal());
      results.fullSpeed(fullSpeedLag(cluster, archive));
      long switched = restorePoint(cluster);
      awaitArchived(archive, switched);
      results.rssAfterArchive(worker.peakRssKb());
      // Before the restores: the figure is the archive's and the base backups' peak, at both sizes.
      // The grown database is written after the restore point, so the restores replay the same WAL.
      PitrGrowth.Result grown =
          new PitrGrowth(backupRuns, runs, options.scale(), CATCH_UP, work.logs(), err)
              .grow(cluster, archive, worker, config);
      results.growth(grown);
      // A restore to a restore point by name takes the newest base backup (runbooks/pitr.md): the
      // growth's, taken after the point, would be picked and could not reach it. Removed.
      PitrFloorFiles.removeBackup(repository, PitrRuns.TARGET, grown.base().backupId());

      String backupId = bases.get(bases.size() - 1).backupId();
      err.println("== the floor's inputs (not timed): base backup " + backupId + ", WAL");
      Path baseTarZst = work.resolve("restore-base.tar.zst");
      PitrFloorFiles.decryptBase(repository, kek, backupId, baseTarZst);
      Path walDir = PitrFloorFiles.exportWal(repository, archive, work.resolve("wal-local"));

      List<RestoreRun> floorRestores = new ArrayList<>();
      List<RestoreRun> restores = new ArrayList<>();
      Path into = work.resolve("restored");
      for (int r = 1; r <= options.runs(); r++) {
        err.println("== round " + r + "/" + options.runs() + ": PITR restores");
        if (r % 2 == 1) {
          floorRestores.add(runs.floorRestore(baseTarZst, walDir, into, freePort()));
          restores.add(runs.restore(worker, config, into, freePort()));
        } else {
          restores.add(runs.restore(worker, config, into, freePort()));
          floorRestores.add(runs.floorRestore(baseTarZst, walDir, into, freePort()));
        }
        requireSameBackup(restores.get(r - 1), backupId);
      }
      results.restores(floorRestores, restores);
      results.rssAfterRestores(worker.peakRssKb());
    }
    new PitrReport(options, loadAtStart, out).print(results.build());
  }

  private LocalCluster prepareCluster() throws SQLException {
    err.println(
        "== throwaway PostgreSQL "
            + binaries.majorVersion()
            + " cluster from "
            + binaries.binDir());
    LocalCluster cluster = env.startCluster(BenchEnvironment.steadyCluster("pitr", binaries));
    cluster.execute("postgres", "CREATE DATABASE " + DB);
    backupRuns.pgbenchInit(options.scale(), DB);
    cluster.execute(DB, "CREATE TABLE bench_trickle (at timestamptz NOT NULL)", "CHECKPOINT");
    return cluster;
  }

  /** The archive's lag while one small transaction a second is all the primary writes. */
  private ArchiveLag.Summary idleLag(LocalCluster cluster, WalArchive archive) throws Exception {
    List<Sample> samples;
    try (Connection trickle = cluster.connect(DB);
        Statement s = trickle.createStatement();
        ArchiveLag lag = ArchiveLag.start(archive, cluster.connect("postgres"))) {
      long end = System.nanoTime() + options.idle().toNanos();
      while (System.nanoTime() < end) {
        s.execute("INSERT INTO bench_trickle VALUES (now())");
        Thread.sleep(1000);
      }
      samples = lag.stop();
    }
    ArchiveLag.Summary summary = ArchiveLag.summarize(samples, walRate(samples));
    err.println("   " + summary.describe());
    return summary;
  }

  /** The archive's lag while pgbench writes as fast as it can; seconds at its WAL rate. */
  private ArchiveLag.Summary fullSpeedLag(LocalCluster cluster, WalArchive archive)
      throws Exception {
    List<Sample> samples;
    try (ArchiveLag lag = ArchiveLag.start(archive, cluster.connect("postgres"))) {
      env.run(
              "pgbench -c " + options.clients(),
              List.of(
                  binaries.bin("pgbench").toString(),
                  "-n",
                  "-c",
                  Integer.toString(options.clients()),
                  "-j",
                  "2",
                  "-T",
                  Long.toString(options.wal().toSeconds()),
                  "-P",
                  "30",
                  DB),
              env.libpqEnvironment(),
              "pgbench-run",
              options.wal().plus(Duration.ofMinutes(5)))
          .requireSuccess();
      samples = lag.stop();
    }
    // The WAL rate of pgbench's run: the samples' first to last primary position.
    ArchiveLag.Summary summary = ArchiveLag.summarize(samples, walRate(samples));
    err.println("   " + summary.describe());
    return summary;
  }

  private static double walRate(List<Sample> samples) {
    Sample first = samples.get(0);
    Sample last = samples.get(samples.size() - 1);
    double seconds = (last.atNanos() - first.atNanos()) / 1e9;
    return seconds > 0 ? (last.primaryLsn() - first.primaryLsn()) / seconds : 0;
  }

  private void awaitArchived(WalArchive archive, long lsn) throws IOException {
    ArchiveLag.awaitArchived(archive, lsn, CATCH_UP, work.logs());
  }

  /** Creates the restore point and switches WAL so it is in a complete segment; the position. */
  private static long restorePoint(LocalCluster cluster) throws SQLException {
    cluster.execute(
        "postgres",
        "SELECT pg_create_restore_point('" + PitrRuns.RESTORE_POINT + "')",
        "SELECT pg_switch_wal()");
    return ArchiveLag.primaryLsn(cluster);
  }

  /** The key-encryption key, once the archiver has made the keyset. */
  private KeyEncryptionKey awaitKeyset(Path keyset) {
    long deadline = System.nanoTime() + CATCH_UP.toNanos();
    while (!Files.exists(keyset)) {
      if (System.nanoTime() > deadline) {
        throw new BenchException(
            "the archiver made no keyset at " + keyset + " within " + CATCH_UP);
      }
      sleep(200);
    }
    return KeyEncryptionKeys.open("local-keyset:" + keyset, Map.of());
  }

  private static void requireSameBackup(RestoreRun restore, String backupId) {
    if (!restore.backupId().equals(backupId)) {
      throw new BenchException(
          "the runbook restored base backup "
              + restore.backupId()
              + ", the floor "
              + backupId
              + ": they would not replay the same WAL");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }
}
