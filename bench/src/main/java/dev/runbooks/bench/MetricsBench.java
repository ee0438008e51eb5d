package dev.runbooks.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the worker's metrics cost: a {@code /metrics} scrape of a worker serving a file repository
 * of many targets and backups, cold (the first scrape of a just-started worker JVM), warm (the same
 * JVM, scraped again once its 30 s listing cache has expired: served from the figures it has while
 * every repository is listed again behind it) and expired (figures older than the 60 s stale
 * window: the scrape waits while every repository is listed again, new manifests only); and what
 * payload encryption costs a backup run, the same backup on two workers with {@code
 * payloadEncryption} off and on. Workers and clients are the CLI's JVMs, as an operator runs them,
 * beside an in-memory Temporal ({@code runbook dev}) of their own. The last lines are the {@code
 * FIGURE} lines.
 */
public final class MetricsBench implements BenchMain.Measurement {
  static final String TARGET = "bench";
  static final String DATABASE = "bench_codec";

  /** The CLI worker's listing cache (WorkerCommand.METRICS_CACHE) and a second for the clock. */
  static final Duration RELIST_AFTER = Duration.ofSeconds(31);

  /**
   * After the warm scrape: the worker's 30 s cache and 30 s stale window, counted from when the
   * relisting behind that scrape landed, with 15 s for that relisting.
   */
  static final Duration EXPIRE_AFTER = Duration.ofSeconds(75);

  /** How long a round waits for the cold scrape's listings to finish behind it. */
  static final Duration LISTED_PATIENCE = Duration.ofMinutes(2);

  private static final Pattern METRICS_PORT = Pattern.compile("metrics on port (\\d+)");

  static final BenchMain.Program<MetricsOptions> PROGRAM =
      new BenchMain.Program<>(
          "bench/metrics",
          MetricsOptions.USAGE,
          "runbooks-bench-metrics-",
          MetricsBench::parse,
          MetricsBench::new);

  public static void main(String[] args) {
    System.exit(PROGRAM.run(args, System.out, System.err));
  }

  /**
   * One worker JVM's scrapes: its first; one served from the cache once every listing is done; one
   * after the cache expired (served stale while every repository is listed again); one after the
   * stale window too, which waits for the listings.
   */
  record ScrapeRound(Scrape cold, Scrape cached, Scrape warm, Scrape expired) {}

  /**
   * A scrape's time, the worker JVM's CPU time meanwhile (all its threads: a figure the machine's
   * load hardly moves), and how many targets it showed with all their backups listed.
   */
  record Scrape(Duration took, Duration cpu, int listed) {}

  /** One round of the codec measurement: the same backup's run without and with the codec. */
  record CodecRound(Run plain, Run codec) {}

  /**
   * A backup run: its span on the workflow's clock, and its worker JVM's own CPU time meanwhile
   * (pg_dump, a child, not counted): the codec's work is CPU in that JVM.
   */
  record Run(Duration span, Duration cpu) {}

  private final MetricsOptions options;
  private final BenchEnvironment env;
  private final WorkDir work;
  private final PgBinaries binaries;
  private final BackupRuns runs;
  private final PrintStream out;
  private final PrintStream err;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private MetricsBench(
      MetricsOptions options, BenchEnvironment env, PrintStream out, PrintStream err) {
    this.options = options;
    this.env = env;
    this.work = env.work();
    this.binaries = PgBinaries.require();
    this.runs = new BackupRuns(env, binaries, options.runbookJar(), err);
    this.out = out;
    this.err = err;
  }

  private static MetricsOptions parse(String[] args) {
    MetricsOptions options = MetricsOptions.parse(args);
    PgBinaries binaries = PgBinaries.require();
    for (String tool : List.of("pg_dump", "pg_restore")) {
      binaries.bin(tool);
    }
    return options;
  }

  @Override
  public void measure() throws Exception {
    String loadAtStart = Figures.loadAverages();
    err.println("== throwaway PostgreSQL " + binaries.majorVersion() + " cluster");
    LocalCluster cluster = env.startCluster(BenchEnvironment.steadyCluster("bench", binaries));
    cluster.execute("postgres", "CREATE DATABASE " + DATABASE);
    cluster.execute(
        DATABASE,
        "CREATE TABLE events (id bigserial PRIMARY KEY, kind text, body text)",
        "INSERT INTO events (kind, body) SELECT 'k' || (g % 17), md5(g::text) FROM"
            + " generate_series(1, "
            + options.rows()
            + ") g");
    Path keyset = work.resolve("backup-keyset.json");
    List<String> targets = MetricsRepository.targets(options.targets());
    err.println(
        "== a file repository of "
            + options.targets()
            + " targets x "
            + options.backups()
            + " backups (encrypted dumps and manifests, every third drilled)");
    long writing = System.nanoTime();
    MetricsRepository.write(work.resolve("metrics-repository"), keyset, targets, options.backups());
    err.println("   written in " + Figures.secs(Duration.ofNanos(System.nanoTime() - writing)));
    RunbookConfig scraped = new RunbookConfig("# Written by bench/metrics.\n");
    for (String target : targets) {
      scraped.target(target, cluster, DATABASE);
    }
    Path metricsConfig =
        scraped
            .setting("repository: file://" + work.resolve("metrics-repository"))
            .setting("encryption: local-keyset:" + keyset)
            .write(work.resolve("runbooks-metrics.yaml"));
    Path plainConfig = codecConfig("runbooks-plain.yaml", cluster, keyset, false);
    Path codecConfig = codecConfig("runbooks-codec.yaml", cluster, keyset, true);

    List<ScrapeRound> scrapes = new ArrayList<>();
    List<CodecRound> codec = new ArrayList<>();
    err.println("== Temporal in memory (runbook dev), not measured");
    try (BenchWorker temporal = runs.temporal(plainConfig)) {
      err.println("== scrapes: a new worker JVM per round (--metrics-port 0)");
      for (int r = 1; r <= options.rounds(); r++) {
        scrapes.add(scrapeRound(r, metricsConfig, temporal));
      }
      err.println("== codec: backup --no-verify runs, payloadEncryption off vs on, interleaved");
      try (BenchWorker plain = runs.worker("plain", plainConfig, Map.of(), temporal);
          BenchWorker coded = runs.worker("codec", codecConfig, Map.of(), temporal)) {
        backupRun("warm-up-plain", plain, plainConfig);
        backupRun("warm-up-codec", coded, codecConfig);
        for (int r = 1; r <= options.codecRounds(); r++) {
          Run p;
          Run c;
          if (r % 2 == 1) {
            p = backupRun("plain-" + r, plain, plainConfig);
            c = backupRun("codec-" + r, coded, codecConfig);
          } else {
            c = backupRun("codec-" + r, coded, codecConfig);
            p = backupRun("plain-" + r, plain, plainConfig);
          }
          codec.add(new CodecRound(p, c));
          err.println(
              String.format(
                  Locale.ROOT,
                  "   round %d: plain %s (worker CPU %s), codec %s (worker CPU %s): %.3f",
                  r,
                  Figures.secs(p.span()),
                  Figures.secs(p.cpu()),
                  Figures.secs(c.span()),
                  Figures.secs(c.cpu()),
                  Figures.ratio(c.span(), p.span())));
        }
      }
    }
    report(scrapes, codec, loadAtStart);
  }

  private Path codecConfig(String name, LocalCluster cluster, Path keyset, boolean encrypt) {
    return new RunbookConfig("# Written by bench/metrics.\n")
        .target(TARGET, cluster, DATABASE)
        .setting("repository: file://" + work.resolve(name.replace(".yaml", "-repository")))
        .setting("encryption: local-keyset:" + keyset)
        .setting("payloadEncryption: " + encrypt)
        .write(work.resolve(name));
  }

  private ScrapeRound scrapeRound(int round, Path config, BenchWorker temporal) throws Exception {
    try (BenchWorker worker =
        BenchWorker.startWorker(
            "runbook worker (metrics)",
            BenchEnvironment.measuredJvm(),
            options.runbookJar(),
            config,
            temporal.address(),
            "bench-metrics",
            BenchEnvironment.cleanEnvironment(),
            work,
            "worker-metrics",
            List.of("--metrics-port", "0"))) {
      Matcher port = METRICS_PORT.matcher(worker.stdout());
      if (!port.find()) {
        throw new BenchException("the worker printed no metrics port:\n" + worker.stdout());
      }
      URI uri = URI.create("http://127.0.0.1:" + port.group(1) + "/metrics");
      Scrape cold = scrape(uri, worker.pid());
      // The listings the cold scrape did not wait for go on behind it; once all are in, a
      // scrape is served from the cache, and 31 s later the cache has expired for every target.
      long deadline = System.nanoTime() + LISTED_PATIENCE.toNanos();
      Scrape cached = scrape(uri, worker.pid());
      while (cached.listed() < options.targets() && System.nanoTime() < deadline) {
        Thread.sleep(200);
        cached = scrape(uri, worker.pid());
      }
      if (cached.listed() < options.targets()) {
        throw new BenchException(
            "the worker listed only " + cached.listed() + " targets in " + LISTED_PATIENCE);
      }
      Thread.sleep(RELIST_AFTER.toMillis());
      Scrape warm = scrape(uri, worker.pid());
      Thread.sleep(EXPIRE_AFTER.toMillis());
      Scrape expired = scrape(uri, worker.pid());
      worker.requireAlive();
      err.println(
          String.format(
              Locale.ROOT,
              "   round %d: cold %.0f ms (worker CPU %.0f ms, %d/%d listed), cached %.0f ms,"
                  + " warm (stale, relisted behind) %.0f ms (worker CPU %.0f ms, %d/%d listed),"
                  + " expired (waits for the relisting) %.0f ms (worker CPU %.0f ms)",
              round,
              millis(cold.took()),
              millis(cold.cpu()),
              cold.listed(),
              options.targets(),
              millis(cached.took()),
              millis(warm.took()),
              millis(warm.cpu()),
              warm.listed(),
              options.targets(),
              millis(expired.took()),
              millis(expired.cpu())));
      return new ScrapeRound(cold, cached, warm, expired);
    }
  }

  /**
   * One {@code GET /metrics}, start to the body's last byte, and how many targets it shows with
   * every backup listed and no listing error.
   */
  private Scrape scrape(URI uri, long pid) throws IOException, InterruptedException {
    Duration cpuBefore = CpuTime.own(pid);
    long start = System.nanoTime();
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
            HttpResponse.BodyHandlers.ofString());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    Duration cpu = CpuTime.own(pid).minus(cpuBefore);
    if (response.statusCode() != 200) {
      throw new BenchException("the scrape answered " + response.statusCode());
    }
    int listed = 0;
    int errors = 0;
    String backups = " " + (double) options.backups();
    for (String line : response.body().split("\n")) {
      if (line.startsWith("runbooks_backups{") && line.endsWith(backups)) {
        listed++;
      } else if (line.startsWith("runbooks_recoverability_error{") && !line.endsWith(" 0.0")) {
        errors++;
      }
    }
    return new Scrape(
        took, cpu, errors == 0 ? listed : Math.min(listed, options.targets() - errors));
  }

  /** A backup run's own span: its first step's start to its last step's end (workflow clock). */
  private Run backupRun(String name, BenchWorker worker, Path config) {
    Duration cpuBefore = CpuTime.own(worker.pid());
    Child.Outcome o = runs.backupWithoutDrill(name, TARGET, worker, config);
    Duration cpu = CpuTime.own(worker.pid()).minus(cpuBefore);
    JsonNode result = RunbookOutput.parse(o.out(), o.label());
    if (!"SUCCEEDED".equals(result.path("outcome").asText())) {
      throw new BenchException(name + " did not succeed:\n" + o.out());
    }
    Instant first = null;
    Instant last = null;
    for (JsonNode step : result.path("steps")) {
      if (step.hasNonNull("start") && step.hasNonNull("end")) {
        Instant start = Instant.parse(step.path("start").asText());
        Instant end = Instant.parse(step.path("end").asText());
        first = first == null || start.isBefore(first) ? start : first;
        last = last == null || end.isAfter(last) ? end : last;
      }
    }
    if (first == null) {
      throw new BenchException(name + ": its result has no timed steps:\n" + o.out());
    }
    return new Run(Duration.between(first, last), cpu);
  }

  private void report(List<ScrapeRound> scrapes, List<CodecRound> codec, String loadAtStart) {
    Duration cold = Figures.median(scrapes, r -> r.cold().took());
    Duration cached = Figures.median(scrapes, r -> r.cached().took());
    Duration warm = Figures.median(scrapes, r -> r.warm().took());
    Duration coldCpu = Figures.median(scrapes, r -> r.cold().cpu());
    Duration warmCpu = Figures.median(scrapes, r -> r.warm().cpu());
    Duration expired = Figures.median(scrapes, r -> r.expired().took());
    Duration expiredCpu = Figures.median(scrapes, r -> r.expired().cpu());
    Duration plain = Figures.median(codec, r -> r.plain().span());
    Duration coded = Figures.median(codec, r -> r.codec().span());
    Duration plainCpu = Figures.median(codec, r -> r.plain().cpu());
    Duration codedCpu = Figures.median(codec, r -> r.codec().cpu());
    List<Double> perRound =
        Figures.perRound(codec, r -> r.codec().span(), codec, r -> r.plain().span());
    List<Double> sorted = perRound.stream().sorted().toList();
    double medianRatio = (sorted.get((sorted.size() - 1) / 2) + sorted.get(sorted.size() / 2)) / 2;
    List<String> ratios =
        perRound.stream().map(r -> String.format(Locale.ROOT, "%.3f", r)).toList();
    out.println();
    out.println(
        "bench/metrics: "
            + options.targets()
            + " targets x "
            + options.backups()
            + " backups, "
            + options.rounds()
            + " scrape rounds; "
            + options.codecRounds()
            + " codec rounds backing up "
            + options.rows()
            + " rows");
    out.println(
        String.format(
            Locale.ROOT,
            "scrape, medians: cold %.0f ms (worker CPU %.0f ms), warm (cache expired, stale"
                + " served, relisted behind) %.0f ms (worker CPU %.0f ms), cached %.0f ms,"
                + " expired (past the stale window, waits for the relisting) %.0f ms (CPU %.0f ms)",
            millis(cold),
            millis(coldCpu),
            millis(warm),
            millis(warmCpu),
            millis(cached),
            millis(expired),
            millis(expiredCpu)));
    out.println(
        "backup run (first step start to last step end), medians: plain "
            + Figures.secs(plain)
            + ", payloadEncryption "
            + Figures.secs(coded)
            + "; per round "
            + ratios
            + String.format(Locale.ROOT, ", their median %.3f", medianRatio));
    out.println(
        String.format(
            Locale.ROOT,
            "worker CPU per backup run, medians: plain %s, payloadEncryption %s (%.3f)",
            Figures.secs(plainCpu),
            Figures.secs(codedCpu),
            Figures.ratio(codedCpu, plainCpu)));
    long incomplete =
        scrapes.stream()
            .filter(
                r ->
                    r.cold().listed() < options.targets()
                        || r.warm().listed() < options.targets()
                        || r.expired().listed() < options.targets())
            .count();
    if (incomplete > 0) {
      out.println(
          incomplete
              + " of the rounds had a scrape that did not list every target within the worker's"
              + " 5 s budget (those targets read runbooks_recoverability_error 1): see above");
    }
    out.println("load average at start: " + loadAtStart + ", at end: " + Figures.loadAverages());
    out.println(Figures.figure("metrics_scrape_ms_warm", millis(warm)));
    out.println(Figures.figure("metrics_scrape_ms_cold", millis(cold)));
    out.println(Figures.figure("codec_run_overhead", Figures.ratio(coded, plain)));
  }

  private static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }
}
