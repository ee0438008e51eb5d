package dev.runbooks.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.bench.PitrRuns.BaseRun;
import dev.runbooks.bench.PitrRuns.RestoreRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PitrReportTest {
  private static final long MB = 1 << 20;
  private static final PitrOptions OPTIONS =
      new PitrOptions(5, 2, Duration.ofSeconds(20), Duration.ofSeconds(5), 4, false, Path.of("x"));
  private static final ArchiveLag.Summary LAG =
      new ArchiveLag.Summary(10, 8192, 1e6, 0.1, 0.5, 0.6, 0.4, 0.5);

  @Test
  void figuresEndTheReportOnePerFigureWithThePeakOverBothSizesAndItsGrowth() {
    List<String> lines = print(growth(210 * 1024, 222 * 1024));

    List<String> figures = lines.subList(lines.size() - 6, lines.size());
    assertEquals(
        List.of(
            "FIGURE basebackup_vs_floor 1.10",
            "FIGURE archive_lag_s_p99 0.50",
            "FIGURE archive_lag_s_idle_max 0.50",
            "FIGURE pitr_restore_vs_floor 1.20",
            "FIGURE pitr_worker_peak_rss_mb 222.00",
            "FIGURE pitr_worker_rss_growth_mb 12.00"),
        figures);
    assertEquals(6, lines.stream().filter(l -> l.startsWith("FIGURE")).count());
  }

  @Test
  void theSizesAndThePeakAtEachArePrinted() {
    String report = String.join("\n", print(growth(210 * 1024, 222 * 1024)));

    assertTrue(
        report.contains(
            "worker's peak RSS (VmHWM) by database size: 80.0 MB: 210 MB (the archive and base"
                + " backups at the first size); 160.0 MB (2.00x): 222 MB (after archiving and"
                + " backing up the grown databases): +12 MB (target <= 20 MB)"),
        report);
    assertTrue(
        report.contains(
            "the growth phase's own peak (VmHWM reset at its start, when the RSS was 170 MB):"
                + " 200 MB; the archive and base backups at the first size: 190 MB"),
        report);
    assertTrue(
        report.contains(
            "after the PITR restores (not in the figure, which is the archive's and the base"
                + " backups'): 260 MB"),
        report);
    assertTrue(report.contains("pgbench -i -s 5 into bench2"), report);
    assertTrue(report.contains("3.00 s (stored 40.0 MB)"), report);
  }

  @Test
  void aPeakReachedBeforeTheGrowthIsTheRunsPeakAndNoGrowth() {
    List<String> lines = print(growth(240 * 1024, 240 * 1024));

    assertEquals("FIGURE pitr_worker_peak_rss_mb 240.00", lines.get(lines.size() - 2));
    assertEquals("FIGURE pitr_worker_rss_growth_mb 0.00", lines.get(lines.size() - 1));
  }

  private static PitrGrowth.Result growth(long rssBeforeKb, long rssAfterKb) {
    return new PitrGrowth.Result(
        80 * MB,
        160 * MB,
        Duration.ofSeconds(9),
        100 * MB,
        Duration.ofMillis(1500),
        new BaseRun("b-3", Duration.ofSeconds(3), 40 * MB, Duration.ofSeconds(2)),
        rssBeforeKb,
        rssAfterKb,
        170 * 1024,
        200 * 1024);
  }

  private static List<String> print(PitrGrowth.Result growth) {
    List<BaseRun> floors =
        List.of(
            new BaseRun("", Duration.ofSeconds(10), 20 * MB, Duration.ofSeconds(8)),
            new BaseRun("", Duration.ofSeconds(10), 20 * MB, Duration.ofSeconds(8)));
    List<BaseRun> bases =
        List.of(
            new BaseRun("b-1", Duration.ofSeconds(11), 21 * MB, Duration.ofSeconds(9)),
            new BaseRun("b-2", Duration.ofSeconds(11), 21 * MB, Duration.ofSeconds(9)));
    RestoreRun floor = new RestoreRun("", Duration.ofSeconds(5), "0/3000028");
    RestoreRun restore = new RestoreRun("b-2", Duration.ofSeconds(6), "0/3000028");
    PitrReport.Results results =
        new PitrReport.Results.Builder(75 * MB)
            .idle(LAG)
            .baseBackups(floors, bases)
            .rssAfterBaseBackups(180 * 1024)
            .fullSpeed(LAG)
            .rssAfterArchive(190 * 1024)
            .restores(List.of(floor, floor), List.of(restore, restore))
            .growth(growth)
            .rssAfterRestores(260 * 1024)
            .build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new PitrReport(
            OPTIONS, "0.5 0.5 0.5 1/100 1", new PrintStream(bytes, true, StandardCharsets.UTF_8))
        .print(results);
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }
}
