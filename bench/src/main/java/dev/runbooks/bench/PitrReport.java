package dev.runbooks.bench;

import static dev.runbooks.bench.Figures.figure;
import static dev.runbooks.bench.Figures.median;
import static dev.runbooks.bench.Figures.ratio;
import static dev.runbooks.bench.Figures.secs;

import dev.runbooks.bench.PitrRuns.BaseRun;
import dev.runbooks.bench.PitrRuns.RestoreRun;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** What {@code bench/pitr} prints: each round, the medians, the notes and the FIGURE lines. */
final class PitrReport {
  /** Everything measured. */
  record Results(
      long dbBytes,
      ArchiveLag.Summary idle,
      ArchiveLag.Summary fullSpeed,
      List<BaseRun> floorBases,
      List<BaseRun> bases,
      List<RestoreRun> floorRestores,
      List<RestoreRun> restores,
      long rssAfterBaseBackupsKb,
      long rssAfterArchiveKb,
      PitrGrowth.Result growth,
      long rssAfterRestoresKb) {

    /** Collects the results as the phases end. */
    static final class Builder {
      private final long dbBytes;
      private ArchiveLag.Summary idle;
      private ArchiveLag.Summary fullSpeed;
      private List<BaseRun> floorBases;
      private List<BaseRun> bases;
      private List<RestoreRun> floorRestores;
      private List<RestoreRun> restores;
      private long rssAfterBaseBackupsKb;
      private long rssAfterArchiveKb;
      private PitrGrowth.Result growth;
      private long rssAfterRestoresKb;

      Builder(long dbBytes) {
        this.dbBytes = dbBytes;
      }

      Builder idle(ArchiveLag.Summary s) {
        this.idle = s;
        return this;
      }

      Builder fullSpeed(ArchiveLag.Summary s) {
        this.fullSpeed = s;
        return this;
      }

      Builder baseBackups(List<BaseRun> floors, List<BaseRun> runbook) {
        this.floorBases = List.copyOf(floors);
        this.bases = List.copyOf(runbook);
        return this;
      }

      Builder restores(List<RestoreRun> floors, List<RestoreRun> runbook) {
        this.floorRestores = List.copyOf(floors);
        this.restores = List.copyOf(runbook);
        return this;
      }

      Builder rssAfterBaseBackups(long kb) {
        this.rssAfterBaseBackupsKb = kb;
        return this;
      }

      Builder rssAfterArchive(long kb) {
        this.rssAfterArchiveKb = kb;
        return this;
      }

      Builder rssAfterRestores(long kb) {
        this.rssAfterRestoresKb = kb;
        return this;
      }

      Builder growth(PitrGrowth.Result g) {
        this.growth = g;
        return this;
      }

      Results build() {
        return new Results(
            dbBytes,
            idle,
            fullSpeed,
            floorBases,
            bases,
            floorRestores,
            restores,
            rssAfterBaseBackupsKb,
            rssAfterArchiveKb,
            growth,
            rssAfterRestoresKb);
      }
    }
  }

  private final PitrOptions options;
  private final String loadAtStart;
  private final PrintStream out;

  PitrReport(PitrOptions options, String loadAtStart, PrintStream out) {
    this.options = options;
    this.loadAtStart = loadAtStart;
    this.out = out;
  }

  void print(Results r) {
    out.println();
    out.println(
        String.format(
            Locale.ROOT,
            "bench/pitr: pgbench scale %d (%s), %d rounds each, interleaved; pgbench -c %d at full"
                + " speed for %s",
            options.scale(),
            Figures.size(r.dbBytes()),
            options.runs(),
            options.clients(),
            options.wal()));
    out.println();
    double base =
        compare(
            "base backup",
            "pg_basebackup | zstd -3",
            "runbook backup --type physical (base backup step)",
            r.floorBases(),
            BaseRun::took,
            r.bases(),
            BaseRun::took);
    out.println(
        String.format(
            Locale.ROOT,
            "  CPU (median; the processes that did it and the server's backends): floor %s, runbook"
                + " %s (the whole run, the archiver's passes meanwhile included)",
            secs(median(r.floorBases(), BaseRun::cpu)),
            secs(median(r.bases(), BaseRun::cpu))));
    out.println(
        String.format(
            Locale.ROOT,
            "  stored: floor %s, runbook %s (zstd + encryption)",
            Figures.size(r.floorBases().get(r.floorBases().size() - 1).storedBytes()),
            Figures.size(r.bases().get(r.bases().size() - 1).storedBytes())));
    out.println();
    double restore =
        compare(
            "PITR restore to a restore point",
            "zstd -d | tar -x + recovery (cp from a local WAL dir)",
            "runbook restore --type physical (plan + recover steps)",
            r.floorRestores(),
            RestoreRun::took,
            r.restores(),
            RestoreRun::took);
    out.println(
        "  redo done at: floor "
            + r.floorRestores().stream().map(RestoreRun::redoDone).distinct().toList()
            + ", runbook "
            + r.restores().stream().map(RestoreRun::redoDone).distinct().toList());
    out.println();
    out.println("archive lag, nearly idle: " + r.idle().describe());
    out.println("archive lag, pgbench at full speed: " + r.fullSpeed().describe());
    out.println(
        String.format(
            Locale.ROOT,
            "worker's peak RSS (VmHWM): %.0f MB after the base backups, %.0f MB after the archive"
                + " at full speed",
            r.rssAfterBaseBackupsKb() / 1024.0,
            r.rssAfterArchiveKb() / 1024.0));
    PitrGrowth.Result g = r.growth();
    out.println(
        String.format(
            Locale.ROOT,
            "growth: pgbench -i -s %d into %s with the archiver running %s (%s of WAL, in the"
                + " archive %s after it ended), then runbook backup --type physical %s (stored %s)",
            options.scale(),
            PitrGrowth.DB,
            secs(g.init()),
            Figures.size(g.walBytes()),
            secs(g.archived()),
            secs(g.base().took()),
            Figures.size(g.base().storedBytes())));
    out.println(
        String.format(
            Locale.ROOT,
            "worker's peak RSS (VmHWM) by database size: %s: %.0f MB (the archive and base backups"
                + " at the first size); %s (%.2fx): %.0f MB (after archiving and backing up the"
                + " grown databases): %+.0f MB (target <= 20 MB)",
            Figures.size(g.bytesBefore()),
            g.rssBeforeKb() / 1024.0,
            Figures.size(g.bytesAfter()),
            (double) g.bytesAfter() / g.bytesBefore(),
            g.rssAfterKb() / 1024.0,
            g.rssGrowthMb()));
    out.println(
        String.format(
            Locale.ROOT,
            "  the growth phase's own peak (VmHWM reset at its start, when the RSS was %.0f MB):"
                + " %.0f MB; the archive and base backups at the first size: %.0f MB",
            g.phaseStartRssKb() / 1024.0,
            g.phaseRssKb() / 1024.0,
            Math.max(r.rssAfterBaseBackupsKb(), r.rssAfterArchiveKb()) / 1024.0));
    out.println(
        String.format(
            Locale.ROOT,
            "  after the PITR restores (not in the figure, which is the archive's and the base"
                + " backups'): %.0f MB",
            r.rssAfterRestoresKb() / 1024.0));
    out.println();
    out.println("load average at the start: " + loadAtStart);
    out.println("load average at the end:   " + Figures.loadAverages());
    out.println(
        "The idle lag is time (how long the oldest WAL the archive lacked had been on the"
            + " primary, to 0.1 s): at idle there is no WAL rate to divide by.");
    out.println(
        "VmHWM is the worker's high-water mark since it started: the growth is how far archiving"
            + " and backing up the grown databases raised it above everything before them.");
    out.println();
    out.println(figure("basebackup_vs_floor", base));
    out.println(figure("archive_lag_s_p99", r.fullSpeed().walSecondsP99()));
    out.println(figure("archive_lag_s_idle_max", r.idle().timeSecondsMax()));
    out.println(figure("pitr_restore_vs_floor", restore));
    long peakKb =
        Math.max(
            Math.max(r.rssAfterBaseBackupsKb(), r.rssAfterArchiveKb()),
            Math.max(g.rssBeforeKb(), g.rssAfterKb()));
    out.println(figure("pitr_worker_peak_rss_mb", peakKb / 1024.0));
    out.println(figure("pitr_worker_rss_growth_mb", g.rssGrowthMb()));
  }

  /** Prints each round and the medians; the ratio of the medians. */
  private <A, B> double compare(
      String what,
      String floorName,
      String runbookName,
      List<A> floor,
      Function<A, Duration> f,
      List<B> runbook,
      Function<B, Duration> g) {
    out.println(what + ":");
    List<Double> rounds = Figures.perRound(runbook, g, floor, f);
    for (int i = 0; i < rounds.size(); i++) {
      out.println(
          String.format(
              Locale.ROOT,
              "  round %d: floor %s, runbook %s, ratio %.2f",
              i + 1,
              secs(f.apply(floor.get(i))),
              secs(g.apply(runbook.get(i))),
              rounds.get(i)));
    }
    Duration floorMedian = median(floor, f);
    Duration runbookMedian = median(runbook, g);
    double ratio = ratio(runbookMedian, floorMedian);
    out.println(
        String.format(
            Locale.ROOT,
            "  median: %s %s, %s %s, ratio %.2f",
            floorName,
            secs(floorMedian),
            runbookName,
            secs(runbookMedian),
            ratio));
    return ratio;
  }
}
