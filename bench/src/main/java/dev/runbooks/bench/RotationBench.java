package dev.runbooks.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbooks.activities.secrets.FileSecretStore;
import dev.runbooks.activities.testing.LoginLoad;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Credential rotation under load, outside JUnit: on a throwaway SCRAM cluster, client threads keep
 * reading the rotated secret from the file store and opening new connections with it while {@code
 * runbook rotate --embedded} runs back to back, first with the alternating strategy, then with
 * single. Counts the logins the server refused in each, and the rotations' own duration (the run's
 * {@code rotationDuration}: grace period, JVM start-up and the embedded Temporal left out). Ends
 * with {@code FIGURE} lines.
 */
public final class RotationBench implements BenchMain.Measurement {
  static final String USAGE =
      "usage: bench/rotation [--rotations N] [--clients N] [--grace-seconds N] [--keep]"
          + " [--runbook-jar FILE]\n"
          + "  --rotations N      rotations measured per strategy (default 3), after one unmeasured\n"
          + "  --clients N        client threads logging in meanwhile (default 8)\n"
          + "  --grace-seconds N  the alternating strategy's grace period (default 3)\n"
          + "  --keep             keep the cluster and the working directory\n"
          + "  --runbook-jar FILE the CLI to run (default cli/target/runbook.jar)";

  private static final String TARGET = "bench";
  private static final String GROUP = "bench_app";
  private static final String SINGLE = "bench_job";
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);

  /** Its options; see {@link #USAGE}. */
  record Options(int rotations, int clients, int graceSeconds, boolean keep, Path runbookJar)
      implements BenchArgs.Common {
    static Options parse(String[] args) {
      BenchArgs given = BenchArgs.parse(args, "--rotations", "--clients", "--grace-seconds");
      PgBinaries.require();
      return new Options(
          given.positive("--rotations", 3),
          given.positive("--clients", 8),
          given.positive("--grace-seconds", 3),
          given.keep(),
          given.runbookJar());
    }
  }

  /** One measured rotation. */
  private record Rotation(
      String login, int version, Duration duration, String steps, Duration wall) {}

  static final BenchMain.Program<Options> PROGRAM =
      new BenchMain.Program<>(
          "bench/rotation", USAGE, "runbooks-bench-rotation-", Options::parse, RotationBench::new);

  public static void main(String[] args) {
    System.exit(PROGRAM.run(args, System.out, System.err));
  }

  private final Options options;
  private final BenchEnvironment env;
  private final WorkDir work;
  private final PrintStream out;
  private LocalCluster cluster;
  private FileSecretStore store;
  private Path config;

  private RotationBench(Options options, BenchEnvironment env, PrintStream out, PrintStream err) {
    this.options = options;
    this.env = env;
    this.work = env.work();
    this.out = out;
  }

  @Override
  public void measure() throws SQLException, InterruptedException {
    String loadAtStart = Figures.loadAverages();
    prepare();
    String grace = options.graceSeconds() + "s";
    out.printf(
        Locale.ROOT,
        "Rotation under load: %d client threads, %d rotations per strategy, grace %s,"
            + " PostgreSQL at %s:%d (scram-sha-256)%n",
        options.clients(),
        options.rotations(),
        grace,
        cluster.host(),
        cluster.port());

    rotate(GROUP, "alternating", grace); // creates the logins and the secret: not measured
    List<Rotation> alternating = new ArrayList<>();
    LoginLoad.Counts alternatingCounts = underLoad(GROUP, "alternating", grace, alternating);
    rotate(SINGLE, "single", grace);
    List<Rotation> single = new ArrayList<>();
    LoginLoad.Counts singleCounts = underLoad(SINGLE, "single", grace, single);

    out.println();
    out.println(
        "| strategy | rotation | renewed | version | rotation (grace excluded) | its steps | wall |");
    out.println("|---|---|---|---|---|---|---|");
    row("alternating", alternating);
    row("single", single);
    out.println();
    out.println("| strategy | logins | failed logins | other errors |");
    out.println("|---|---|---|---|");
    counts("alternating", alternatingCounts);
    counts("single", singleCounts);
    for (String sample : singleCounts.samples()) {
      out.println("  single, e.g.: " + sample);
    }
    out.println();
    out.println(
        "rotation_duration_s is the median of the alternating rotations' own duration (lock,"
            + " preflight, prepare, renew, expire; the grace period, the JVM's start and the"
            + " embedded Temporal left out); wall is the whole `runbook rotate --embedded` process.");
    out.println(
        "Load average at the start: "
            + loadAtStart
            + "; at the end: "
            + Figures.loadAverages()
            + ". The clients' SCRAM logins and other work on a shared machine slow the rotations"
            + " down: read rotation_duration_s with the load.");
    Duration median = median(alternating);
    out.println("FIGURE rotation_failed_logins_alternating " + alternatingCounts.failedLogins());
    out.println("FIGURE rotation_failed_logins_single " + singleCounts.failedLogins());
    out.printf(Locale.ROOT, "FIGURE rotation_duration_s %.2f%n", median.toMillis() / 1000.0);
  }

  private LoginLoad.Counts underLoad(
      String role, String strategy, String grace, List<Rotation> rotations)
      throws InterruptedException {
    LoginLoad load =
        LoginLoad.start(
            options.clients(),
            store,
            "db/" + TARGET + "/roles/" + role,
            cluster.jdbcUrl(TARGET),
            "SELECT count(*) FROM orders");
    try {
      Thread.sleep(1000);
      for (int i = 0; i < options.rotations(); i++) {
        rotations.add(rotate(role, strategy, grace));
      }
      Thread.sleep(1000);
    } finally {
      load.stop();
    }
    return load.counts();
  }

  private Rotation rotate(String role, String strategy, String grace) {
    List<String> argv =
        BenchEnvironment.runbookCommand(
            BenchEnvironment.measuredJvm(),
            options.runbookJar(),
            List.of(
                "rotate",
                "--target",
                TARGET,
                "--role",
                role,
                "--strategy",
                strategy,
                "--grace",
                grace,
                "--embedded",
                "--output",
                "json",
                "--config",
                config.toString()));
    String label = "runbook rotate --role " + role + " --strategy " + strategy;
    Child.Outcome o =
        env.run(label, argv, BenchEnvironment.cleanEnvironment(), "rotate-" + strategy, RUN_TIMEOUT)
            .requireSuccess();
    JsonNode result = RunbookOutput.parse(o.out(), label);
    JsonNode rotation = result.path("rotation");
    if (!"SUCCEEDED".equals(result.path("outcome").asText()) || rotation.isMissingNode()) {
      throw new BenchException(label + " did not succeed:\n" + o.out());
    }
    return new Rotation(
        rotation.path("renewedLogin").asText(),
        rotation.path("newVersion").asInt(),
        Duration.parse(rotation.path("rotationDuration").asText()),
        steps(result, label),
        o.wall());
  }

  /** The durations of the steps that ran, the grace period left out: "preflight 1.20 s, ...". */
  private static String steps(JsonNode result, String label) {
    List<String> steps = new ArrayList<>();
    for (JsonNode step : result.path("steps")) {
      String name = step.path("name").asText();
      if (!name.equals("grace") && "DONE".equals(step.path("state").asText())) {
        Duration took = RunbookOutput.step(result, name, label);
        steps.add(String.format(Locale.ROOT, "%s %.2f s", name, took.toMillis() / 1000.0));
      }
    }
    return String.join(", ", steps);
  }

  private void row(String strategy, List<Rotation> rotations) {
    for (int i = 0; i < rotations.size(); i++) {
      Rotation r = rotations.get(i);
      out.printf(
          Locale.ROOT,
          "| %s | %d | %s | %d | %.2f s | %s | %.1f s |%n",
          strategy,
          i + 1,
          r.login(),
          r.version(),
          r.duration().toMillis() / 1000.0,
          r.steps(),
          r.wall().toMillis() / 1000.0);
    }
  }

  private void counts(String strategy, LoginLoad.Counts c) {
    out.printf(
        Locale.ROOT,
        "| %s | %d | %d | %d |%n",
        strategy,
        c.logins(),
        c.failedLogins(),
        c.otherErrors());
  }

  private static Duration median(List<Rotation> rotations) {
    List<Duration> sorted =
        rotations.stream().map(Rotation::duration).sorted(Comparator.naturalOrder()).toList();
    return sorted.get(sorted.size() / 2);
  }

  private void prepare() throws SQLException {
    String admin = newPassword();
    // The cluster lives under the working directory: open it to the server's OS user.
    work.readableByAll();
    cluster =
        env.startCluster(
            LocalCluster.builder()
                .baseDir(work.resolve("postgres"))
                .name("bench-rotation")
                .scram(admin));
    cluster.execute("postgres", "CREATE DATABASE " + TARGET);
    cluster.execute(
        TARGET,
        "CREATE TABLE orders (id int PRIMARY KEY, total int)",
        "INSERT INTO orders SELECT g, g FROM generate_series(1, 1000) g",
        "REVOKE ALL ON orders FROM PUBLIC",
        "CREATE ROLE " + GROUP + " NOLOGIN",
        "GRANT SELECT ON orders TO " + GROUP,
        "CREATE ROLE " + SINGLE + " LOGIN",
        "GRANT SELECT ON orders TO " + SINGLE);
    store = new FileSecretStore(work.resolve("secrets.json"));
    store.write(
        "db/" + TARGET + "/admin",
        Map.of("username", LocalCluster.SUPERUSER, "password", admin),
        OptionalInt.of(0));
    config = work.resolve("runbooks.yaml");
    try {
      Files.writeString(
          config,
          "targets:\n"
              + "  "
              + TARGET
              + ":\n"
              + "    primary: { host: "
              + cluster.host()
              + ", port: "
              + cluster.port()
              + ", database: "
              + TARGET
              + " }\n"
              + "    admin: { secret: db/"
              + TARGET
              + "/admin }\n"
              + "    production: false\n"
              + "secrets: file://secrets.json\n");
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + config, e);
    }
  }

  private static String newPassword() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
