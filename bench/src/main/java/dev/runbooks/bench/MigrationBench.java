package dev.runbooks.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

/**
 * {@code bench/migration}: the migration runbook's apply stage against plain {@code flyway migrate}
 * (Flyway's API in this JVM) on the same ten migrations and identical fresh databases (each a
 * {@code CREATE DATABASE ... TEMPLATE} of one seeded database), interleaved, medians compared. The
 * runbook runs as an operator runs it, {@code runbook migrate --auto-approve --embedded --output
 * json} in a child JVM; its figures are its own step timings from that JSON.
 */
public final class MigrationBench implements BenchMain.Measurement {
  static final String USAGE =
      "Usage: bench/migration [--rows N] [--runs N] [--keep] [--runbook-jar FILE]";

  private static final String SEED = "bench_seed";
  private static final Duration TIMEOUT = Duration.ofMinutes(30);

  /** Its options: events seeded, rounds measured, keep the cluster, the CLI to run. */
  record Options(int rows, int runs, boolean keep, Path runbookJar) implements BenchArgs.Common {
    static Options parse(String[] args) {
      BenchArgs given = BenchArgs.parse(args, "--rows", "--runs");
      PgBinaries.require();
      return new Options(
          given.positive("--rows", 1_000_000),
          given.positive("--runs", 3),
          given.keep(),
          given.runbookJar());
    }
  }

  static final BenchMain.Program<Options> PROGRAM =
      new BenchMain.Program<>(
          "bench/migration",
          USAGE,
          "runbooks-bench-migration-",
          Options::parse,
          MigrationBench::new);

  public static void main(String[] args) {
    System.exit(PROGRAM.run(args, System.out, System.err));
  }

  private final Options options;
  private final BenchEnvironment env;
  private final WorkDir work;
  private final PgBinaries binaries;
  private final PrintStream out;
  private final PrintStream err;
  private LocalCluster cluster;

  private MigrationBench(Options options, BenchEnvironment env, PrintStream out, PrintStream err) {
    this.options = options;
    this.env = env;
    this.work = env.work();
    this.binaries = PgBinaries.require();
    this.out = out;
    this.err = err;
  }

  /**
   * One round. {@code flywaySql} and {@code runbookSql} are the scripts' own times as Flyway
   * recorded them in the history; {@code versions} the runbook's per-version activity times.
   */
  private record Round(
      Duration flyway,
      Duration apply,
      Duration rehearse,
      Duration flywaySql,
      Duration runbookSql,
      Duration versions) {}

  @Override
  public void measure() throws IOException, SQLException {
    err.println("== throwaway PostgreSQL cluster from " + binaries.binDir());
    cluster = env.startCluster(BenchEnvironment.steadyCluster("bench-migration", binaries));
    err.println("== seeding " + SEED + " with " + options.rows() + " events");
    cluster.execute("postgres", "CREATE DATABASE " + SEED);
    cluster.execute(
        SEED,
        "CREATE SCHEMA app",
        "CREATE TABLE app.events (id bigserial PRIMARY KEY, account_id int NOT NULL,"
            + " kind text NOT NULL, payload text, created_at timestamptz NOT NULL)",
        "INSERT INTO app.events (account_id, kind, payload, created_at) SELECT g % 5000,"
            + " (ARRAY['view','click','buy'])[1 + g % 3], md5(g::text),"
            + " timestamptz '2026-01-01' + g * interval '1 second' FROM generate_series(1, "
            + options.rows()
            + ") g",
        "VACUUM ANALYZE app.events");
    Path migrations = MigrationScripts.write(work.resolve("migrations"));
    List<Round> rounds = new ArrayList<>();
    for (int r = 1; r <= options.runs(); r++) {
      String fw = "fw_" + r;
      String rb = "rb_" + r;
      cluster.execute(
          "postgres",
          "CREATE DATABASE " + fw + " TEMPLATE " + SEED,
          "CREATE DATABASE " + rb + " TEMPLATE " + SEED);
      Duration flyway;
      JsonNode runbook;
      // Interleaved, the order alternating, so that neither always runs on a warmer cache.
      if (r % 2 == 1) {
        flyway = flyway(fw, migrations);
        runbook = runbook(rb, migrations);
      } else {
        runbook = runbook(rb, migrations);
        flyway = flyway(fw, migrations);
      }
      Duration versions = Duration.ZERO;
      for (JsonNode t : runbook.path("applied")) {
        versions = versions.plus(Duration.parse(t.path("duration").asText()));
      }
      Round round =
          new Round(
              flyway,
              RunbookOutput.step(runbook, "apply", "runbook migrate"),
              RunbookOutput.step(runbook, "rehearse", "runbook migrate"),
              scriptTime(fw),
              scriptTime(rb),
              versions);
      rounds.add(round);
      err.println(
          String.format(
              Locale.ROOT,
              "   round %d: flyway migrate %.2fs (scripts %.2fs), runbook apply %.2fs (versions"
                  + " %.2fs, scripts %.2fs), ratio %.2f, rehearsal %.2fs",
              r,
              Figures.seconds(round.flyway()),
              Figures.seconds(round.flywaySql()),
              Figures.seconds(round.apply()),
              Figures.seconds(round.versions()),
              Figures.seconds(round.runbookSql()),
              Figures.ratio(round.apply(), round.flyway()),
              Figures.seconds(round.rehearse())));
      cluster.execute("postgres", "DROP DATABASE " + fw, "DROP DATABASE " + rb);
    }
    Duration flyway = Figures.median(rounds, Round::flyway);
    Duration apply = Figures.median(rounds, Round::apply);
    Duration rehearse = Figures.median(rounds, Round::rehearse);
    double ratio = Figures.ratio(apply, flyway);
    out.println();
    out.println(
        "10 migrations on "
            + options.rows()
            + " events, medians of "
            + options.runs()
            + " rounds; load average "
            + Figures.loadAverage());
    out.println(
        String.format(Locale.ROOT, "  flyway migrate (API)   %7.2fs", Figures.seconds(flyway)));
    out.println(
        String.format(
            Locale.ROOT,
            "  runbook apply stage    %7.2fs  (one version at a time; the schema snapshot is"
                + " taken with the backup)",
            Figures.seconds(apply)));
    out.println(
        String.format(
            Locale.ROOT,
            "  ratio                  %7.2f   target <= 1.05: %s",
            ratio,
            ratio <= 1.05 ? "met" : "MISSED"));
    out.println(
        String.format(
            Locale.ROOT,
            "  rehearsal              %7.2fs  (schema-only copy: up, down, compare, up)",
            Figures.seconds(rehearse)));
    lockGuard();
    out.println(Figures.figure("migrate_apply_vs_flyway", ratio));
    out.println(Figures.figure("migrate_rehearsal_s", Figures.seconds(rehearse)));
  }

  /** The lock guard against plain Flyway behind a long transaction (see LockGuardScenario). */
  private void lockGuard() throws IOException, SQLException {
    Path migrations = LockGuardScenario.migrations(work.resolve("lockguard"));
    LockGuardScenario scenario = new LockGuardScenario(cluster);
    cluster.execute(
        "postgres",
        "CREATE DATABASE lg_fw TEMPLATE " + SEED,
        "CREATE DATABASE lg_rb TEMPLATE " + SEED);
    LockGuardScenario.Result flyway;
    LockGuardScenario.Result runbook;
    try {
      err.println("== lock guard: plain flyway migrate behind a long transaction");
      flyway = scenario.run("lg_fw", migrations, this::plainFlyway);
      err.println(
          "== lock guard: runbook migrate --lock-timeout "
              + LOCK_GUARD_TIMEOUT.toMillis()
              + "ms behind a long transaction");
      runbook =
          scenario.run(
              "lg_rb",
              migrations,
              (db, dir) -> {
                JsonNode result =
                    runbook(
                        db,
                        dir,
                        List.of(
                            "--lock-timeout",
                            LOCK_GUARD_TIMEOUT.toMillis() + "ms",
                            "--lock-retries",
                            "30",
                            "--lock-budget",
                            "2m"));
                return "SUCCEEDED".equals(result.path("outcome").asText());
              });
    } catch (Exception e) {
      throw new BenchException("the lock-guard scenario failed: " + e);
    }
    double target = LOCK_GUARD_TIMEOUT.toMillis() * 1.5;
    out.println(
        String.format(
            Locale.ROOT,
            "Lock guard: a transaction holds ACCESS SHARE on app.events for %ds after the"
                + " migration queues; %d clients run point queries meanwhile",
            LockGuardScenario.HOLD.toSeconds(),
            LockGuardScenario.CLIENTS));
    out.println(
        String.format(
            Locale.ROOT,
            "  plain flyway   clients' p99 %8.0f ms (worst %.0f ms) over %d queries; applied: %s",
            flyway.p99Millis(),
            flyway.maxMillis(),
            flyway.queries(),
            flyway.applied() ? "yes" : "NO"));
    out.println(
        String.format(
            Locale.ROOT,
            "  runbook        clients' p99 %8.0f ms (worst %.0f ms) over %d queries; applied: %s;"
                + " target <= %.0f ms (1.5x the %d ms lock timeout): %s",
            runbook.p99Millis(),
            runbook.maxMillis(),
            runbook.queries(),
            runbook.applied() ? "yes, once the transaction ended" : "NO",
            target,
            LOCK_GUARD_TIMEOUT.toMillis(),
            runbook.p99Millis() <= target ? "met" : "MISSED"));
    cluster.execute("postgres", "DROP DATABASE lg_fw", "DROP DATABASE lg_rb");
    out.println(Figures.figure("migrate_lockguard_app_p99_ms", runbook.p99Millis()));
    out.println(Figures.figure("migrate_flyway_app_p99_ms", flyway.p99Millis()));
  }

  /** The lock timeout the lock-guard scenario gives the runbook. */
  static final Duration LOCK_GUARD_TIMEOUT = Duration.ofSeconds(1);

  /** Plain Flyway as it comes: no lock timeout, so its ALTER waits in the lock queue. */
  private boolean plainFlyway(String database, Path migrations) {
    return Flyway.configure(MigrationBench.class.getClassLoader())
            .dataSource(cluster.jdbcUrl(database), LocalCluster.SUPERUSER, null)
            .locations("filesystem:" + migrations)
            .loggers("slf4j")
            .load()
            .migrate()
            .migrationsExecuted
        == 1;
  }

  /** {@code pg_dump -Fc}, then {@code pg_restore} into a scratch database, which is dropped. */
  private void verifiedBackup(String database) {
    Map<String, String> libpq = env.libpqEnvironment();
    Path dump = work.resolve(database + ".dump");
    String scratch = database + "_drill";
    for (List<String> argv :
        List.of(
            List.of(binaries.bin("pg_dump").toString(), "-Fc", "-f", dump.toString(), database),
            List.of(binaries.bin("createdb").toString(), scratch),
            List.of(
                binaries.bin("pg_restore").toString(),
                "--exit-on-error",
                "-d",
                scratch,
                dump.toString()),
            List.of(binaries.bin("dropdb").toString(), scratch))) {
      env.run(String.join(" ", argv.subList(0, 1)), argv, libpq, "baseline", TIMEOUT)
          .requireSuccess();
    }
    try {
      Files.deleteIfExists(dump);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The scripts' own execution times as Flyway recorded them in the schema history. */
  private Duration scriptTime(String database) throws SQLException {
    try (var c = cluster.connect(database);
        var s = c.createStatement();
        var rs = s.executeQuery("SELECT sum(execution_time) FROM flyway_schema_history")) {
      rs.next();
      return Duration.ofMillis(rs.getLong(1));
    }
  }

  /**
   * Plain Flyway, configured as a team running CONCURRENTLY migrations must configure it, after the
   * manual procedure's first step (a dump, restored into a scratch database that is then dropped):
   * the runbook's apply stage also follows its verified backup, and the disk writes such a backup
   * leaves behind should burden both measurements alike. Only {@code migrate()} is timed.
   */
  private Duration flyway(String database, Path migrations) {
    verifiedBackup(database);
    FluentConfiguration config =
        Flyway.configure(MigrationBench.class.getClassLoader())
            .dataSource(cluster.jdbcUrl(database), LocalCluster.SUPERUSER, null)
            .locations("filesystem:" + migrations)
            .mixed(true)
            .loggers("slf4j");
    config
        .getConfigurationExtension(PostgreSQLConfigurationExtension.class)
        .setTransactionalLock(false);
    Flyway flyway = config.load();
    long started = System.nanoTime();
    int applied = flyway.migrate().migrationsExecuted;
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    if (applied != 10) {
      throw new BenchException("flyway migrate applied " + applied + " migrations, expected 10");
    }
    return took;
  }

  private JsonNode runbook(String database, Path migrations) {
    return runbook(database, migrations, List.of("--lock-timeout", "30s"));
  }

  private JsonNode runbook(String database, Path migrations, List<String> bounds) {
    Path config =
        new RunbookConfig("")
            .target(database, cluster, database, "migrations: " + migrations)
            .setting("repository: file://" + work.resolve("backups"))
            .setting("encryption: local-keyset:" + work.resolve("keyset.json"))
            .write(work.resolve("runbooks-" + database + ".yaml"));
    List<String> argv =
        BenchEnvironment.runbookCommand(
            BenchEnvironment.measuredJvm(),
            options.runbookJar(),
            Stream.concat(
                    Stream.of("migrate", "--target", database, "--auto-approve"),
                    Stream.concat(bounds.stream(), Stream.of("--embedded", "--output", "json")))
                .toList());
    Map<String, String> childEnv = BenchEnvironment.cleanEnvironment();
    childEnv.put("RUNBOOKS_CONFIG", config.toString());
    Child.Outcome o =
        env.run("runbook migrate --target " + database, argv, childEnv, "runbook", TIMEOUT)
            .requireSuccess();
    return RunbookOutput.parse(o.out(), o.label());
  }
}
