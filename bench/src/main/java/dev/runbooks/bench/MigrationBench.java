package dev.runbooks.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
public final class MigrationBench {
  private static final String SEED = "bench_seed";
  private static final Duration TIMEOUT = Duration.ofMinutes(30);

  private final int rows;
  private final int runs;
  private final boolean keep;
  private final Path jar;
  private final Path work;
  private final Path logs;
  private final PrintWriter out;
  private final PrintWriter err;
  private LocalCluster cluster;
  private int children;

  private MigrationBench(
      int rows, int runs, boolean keep, Path jar, Path work, PrintWriter out, PrintWriter err) {
    this.rows = rows;
    this.runs = runs;
    this.keep = keep;
    this.jar = jar;
    this.work = work;
    this.logs = work.resolve("logs");
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) throws Exception {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int rows = 1_000_000;
    int runs = 3;
    boolean keep = false;
    Path jar = Path.of("cli", "target", "runbook.jar");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--keep" -> keep = true;
        case "--runbook-jar" -> jar = Path.of(args[++i]);
        default -> {
          err.println(
              "bench/migration: unknown option "
                  + args[i]
                  + "\nUsage: bench/migration [--rows N] [--runs N] [--keep] [--runbook-jar FILE]");
          System.exit(2);
        }
      }
    }
    Path work = Files.createTempDirectory("runbooks-bench-migration-");
    Files.createDirectories(work.resolve("logs"));
    MigrationBench bench =
        new MigrationBench(rows, runs, keep, jar.toAbsolutePath().normalize(), work, out, err);
    int exit = 0;
    try {
      bench.measure();
    } catch (BenchException | IOException | java.sql.SQLException e) {
      err.println("bench/migration: FAILED: " + e.getMessage());
      err.println("The runs' output is in " + bench.logs + " (kept).");
      exit = 1;
    } finally {
      bench.cleanUp(exit != 0);
    }
    System.exit(exit);
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

  private void measure() throws Exception {
    PgBinaries binaries = PgBinaries.require();
    err.println("== throwaway PostgreSQL cluster from " + binaries.binDir());
    cluster =
        LocalCluster.builder()
            .name("bench-migration")
            .binaries(binaries)
            .setting("max_wal_size", "8GB")
            .setting("checkpoint_timeout", "1h")
            .setting("autovacuum", "off")
            .start();
    err.println("== seeding " + SEED + " with " + rows + " events");
    cluster.execute("postgres", "CREATE DATABASE " + SEED);
    cluster.execute(
        SEED,
        "CREATE SCHEMA app",
        "CREATE TABLE app.events (id bigserial PRIMARY KEY, account_id int NOT NULL,"
            + " kind text NOT NULL, payload text, created_at timestamptz NOT NULL)",
        "INSERT INTO app.events (account_id, kind, payload, created_at) SELECT g % 5000,"
            + " (ARRAY['view','click','buy'])[1 + g % 3], md5(g::text),"
            + " timestamptz '2026-01-01' + g * interval '1 second' FROM generate_series(1, "
            + rows
            + ") g",
        "VACUUM ANALYZE app.events");
    Path migrations = writeMigrations();
    List<Round> rounds = new ArrayList<>();
    for (int r = 1; r <= runs; r++) {
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
              seconds(round.flyway()),
              seconds(round.flywaySql()),
              seconds(round.apply()),
              seconds(round.versions()),
              seconds(round.runbookSql()),
              BackupBench.ratio(round.apply(), round.flyway()),
              seconds(round.rehearse())));
      cluster.execute("postgres", "DROP DATABASE " + fw, "DROP DATABASE " + rb);
    }
    Duration flyway = BackupBench.median(rounds, Round::flyway);
    Duration apply = BackupBench.median(rounds, Round::apply);
    Duration rehearse = BackupBench.median(rounds, Round::rehearse);
    double ratio = BackupBench.ratio(apply, flyway);
    out.println();
    out.println(
        "10 migrations on "
            + rows
            + " events, medians of "
            + runs
            + " rounds; load average "
            + Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
    out.println(String.format(Locale.ROOT, "  flyway migrate (API)   %7.2fs", seconds(flyway)));
    out.println(
        String.format(
            Locale.ROOT,
            "  runbook apply stage    %7.2fs  (one version at a time; the schema snapshot is"
                + " taken with the backup)",
            seconds(apply)));
    out.println(
        String.format(
            Locale.ROOT,
            "  ratio                  %7.2f   target <= 1.20: %s",
            ratio,
            ratio <= 1.2 ? "met" : "MISSED"));
    out.println(
        String.format(
            Locale.ROOT,
            "  rehearsal              %7.2fs  (schema-only copy: up, down, compare, up)",
            seconds(rehearse)));
    out.println(BackupBench.figure("migrate_apply_vs_flyway", ratio));
    out.println(BackupBench.figure("migrate_rehearsal_s", seconds(rehearse)));
  }

  /** {@code pg_dump -Fc}, then {@code pg_restore} into a scratch database, which is dropped. */
  private void verifiedBackup(String database) {
    PgBinaries binaries = PgBinaries.require();
    Map<String, String> env = new HashMap<>(System.getenv());
    env.keySet().removeIf(k -> k.startsWith("PG"));
    env.put("PGHOST", LocalCluster.HOST);
    env.put("PGPORT", Integer.toString(cluster.port()));
    env.put("PGUSER", LocalCluster.SUPERUSER);
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
      Child.run(
              String.join(" ", argv.subList(0, 1)),
              argv,
              env,
              work,
              logs,
              "baseline-" + (++children),
              TIMEOUT,
              false)
          .requireSuccess();
    }
    try {
      Files.deleteIfExists(dump);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The scripts' own execution times as Flyway recorded them in the schema history. */
  private Duration scriptTime(String database) throws java.sql.SQLException {
    try (var c = cluster.connect(database);
        var s = c.createStatement();
        var rs = s.executeQuery("SELECT sum(execution_time) FROM flyway_schema_history")) {
      rs.next();
      return Duration.ofMillis(rs.getLong(1));
    }
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
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

  private JsonNode runbook(String database, Path migrations) throws IOException {
    Path config =
        Files.writeString(
            work.resolve("runbooks-" + database + ".yaml"),
            "targets:\n  "
                + database
                + ":\n    primary: { host: "
                + LocalCluster.HOST
                + ", port: "
                + cluster.port()
                + ", database: "
                + database
                + ", sslmode: disable }\n    admin: { user: "
                + LocalCluster.SUPERUSER
                + " }\n    production: false\n    migrations: "
                + migrations
                + "\nrepository: file://"
                + work.resolve("backups")
                + "\nencryption: local-keyset:"
                + work.resolve("keyset.json")
                + "\n",
            StandardCharsets.UTF_8);
    List<String> argv =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            BackupBench.JVM_HEAP,
            BackupBench.JVM_GC,
            "-jar",
            jar.toString(),
            "migrate",
            "--target",
            database,
            "--auto-approve",
            "--lock-timeout",
            "30s",
            "--embedded",
            "--output",
            "json");
    Map<String, String> env = new HashMap<>(System.getenv());
    env.keySet()
        .removeIf(
            k -> k.startsWith("PG") || k.startsWith("RUNBOOKS_") || k.startsWith("TEMPORAL_"));
    env.put("RUNBOOKS_CONFIG", config.toString());
    Child.Outcome o =
        Child.run(
                "runbook migrate --target " + database,
                argv,
                env,
                work,
                logs,
                "runbook-" + (++children),
                TIMEOUT,
                false)
            .requireSuccess();
    return RunbookOutput.parse(o.out(), o.label());
  }

  /** Ten migrations with real work on the seeded table, each with its down script. */
  private Path writeMigrations() throws IOException {
    Path dir = work.resolve("migrations");
    Files.createDirectories(dir);
    String[][] m = {
      {
        "add_source",
        "ALTER TABLE app.events ADD COLUMN source text;",
        "ALTER TABLE app.events DROP COLUMN source;"
      },
      {
        "backfill_source",
        "UPDATE app.events SET source = CASE WHEN id % 2 = 0 THEN 'web' ELSE 'app' END;",
        "UPDATE app.events SET source = NULL;"
      },
      {
        "index_account",
        "CREATE INDEX CONCURRENTLY events_account_idx ON app.events (account_id);",
        "DROP INDEX CONCURRENTLY app.events_account_idx;"
      },
      {
        "create_accounts",
        "CREATE TABLE app.accounts (id int PRIMARY KEY, name text);\n"
            + "INSERT INTO app.accounts SELECT DISTINCT account_id, 'account ' || account_id FROM app.events;",
        "DROP TABLE app.accounts;"
      },
      {
        "events_account_fk",
        "ALTER TABLE app.events ADD CONSTRAINT events_account_fk FOREIGN KEY (account_id)"
            + " REFERENCES app.accounts (id) NOT VALID;",
        "ALTER TABLE app.events DROP CONSTRAINT events_account_fk;"
      },
      {
        "validate_fk",
        "ALTER TABLE app.events VALIDATE CONSTRAINT events_account_fk;",
        "ALTER TABLE app.events DROP CONSTRAINT events_account_fk;\n"
            + "ALTER TABLE app.events ADD CONSTRAINT events_account_fk FOREIGN KEY (account_id)"
            + " REFERENCES app.accounts (id) NOT VALID;"
      },
      {
        "created_at_plain",
        "ALTER TABLE app.events ALTER COLUMN created_at TYPE timestamp;",
        "ALTER TABLE app.events ALTER COLUMN created_at TYPE timestamptz;"
      },
      {
        "rename_kind",
        "ALTER TABLE app.events RENAME COLUMN kind TO event_kind;",
        "ALTER TABLE app.events RENAME COLUMN event_kind TO kind;"
      },
      {
        "index_created",
        "CREATE INDEX CONCURRENTLY events_created_idx ON app.events (created_at);",
        "DROP INDEX CONCURRENTLY app.events_created_idx;"
      },
      {
        "daily_counts",
        "CREATE TABLE app.daily_counts AS SELECT date_trunc('day', created_at) AS day, count(*) AS n"
            + " FROM app.events GROUP BY 1;",
        "DROP TABLE app.daily_counts;"
      },
    };
    for (int i = 0; i < m.length; i++) {
      int v = i + 1;
      Files.writeString(
          dir.resolve("V" + v + "__" + m[i][0] + ".sql"),
          "SET lock_timeout = '30s';\n" + m[i][1] + "\n");
      Files.writeString(
          dir.resolve("U" + v + "__" + m[i][0] + ".sql"),
          "SET lock_timeout = '30s';\n" + m[i][2] + "\n");
    }
    return dir;
  }

  private void cleanUp(boolean failed) {
    if (keep) {
      err.println("kept: cluster " + cluster + ", working directory " + work);
      return;
    }
    if (cluster != null) {
      cluster.close();
    }
    if (!failed) {
      try (var files = Files.walk(work)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
