package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.postgres.ConfiguredConnections;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.activities.postgres.SessionSettings;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.activities.secrets.FileSecretStore;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.migration.ApplyInput;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * No statement outlives the run that issued it, and no cleanup waits without a bound: the server
 * stops the work of a client that died (client_connection_check_interval on every session, JDBC and
 * pg_dump alike), and a cleanup blocked by a long transaction gives up in time and names it.
 */
class SessionBoundsTest {
  private static final String PASSWORD = "bounds-Secr3t-" + Long.toHexString(System.nanoTime());
  private static final AtomicInteger DATABASES = new AtomicInteger();

  /** How soon the server must notice a dead client: the check interval plus a loaded machine. */
  private static final Duration NOTICED_WITHIN = Duration.ofSeconds(20);

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withScram(PASSWORD);

  @TempDir Path dir;

  private String database;
  private Path migrations;

  private TargetConnections connections(int port) throws Exception {
    database = "bounds_" + DATABASES.incrementAndGet();
    pg.primary().execute("postgres", "CREATE DATABASE " + database);
    migrations = Files.createDirectories(dir.resolve("migrations"));
    FileSecretStore secrets = new FileSecretStore(dir.resolve("secrets.json"));
    secrets.write(
        "db/app/admin", Map.of("username", "postgres", "password", PASSWORD), OptionalInt.of(0));
    Path file = dir.resolve("runbooks.yaml");
    Files.writeString(
        file,
        "targets:\n  app:\n    primary: { host: 127.0.0.1, port: "
            + port
            + ", database: "
            + database
            + ", sslmode: disable }\n    admin: { secret: db/app/admin }\n    migrations: "
            + migrations
            + "\n");
    return new ConfiguredConnections(ConfigLoader.load(file, Map.of()), secrets);
  }

  private MigrationActivitiesImpl activities(TargetConnections connections) throws Exception {
    Path file = dir.resolve("runbooks.yaml");
    return new MigrationActivitiesImpl(
        connections,
        MigrationTargets.fromConfig(ConfigLoader.load(file, Map.of())),
        PgBinaries.require(),
        dir.resolve("worker-data"));
  }

  @Test
  void aKilledApplysStatementIsGoneFromTheServerWithinSeconds() throws Exception {
    try (CuttableProxy proxy = new CuttableProxy(pg.primary().port())) {
      TargetConnections connections = connections(proxy.port());
      Files.writeString(migrations.resolve("V1__slow.sql"), "SELECT pg_sleep(300);\n");
      MigrationActivitiesImpl activities = activities(connections);
      CompletableFuture<?> apply =
          CompletableFuture.runAsync(
              () ->
                  activities.applyMigrations(
                      new ApplyInput(
                          "app",
                          List.of("1"),
                          Duration.ofSeconds(5),
                          Duration.ofMinutes(10),
                          "killed-apply")));
      try {
        awaitSessions("%pg_sleep(300)%", true, Duration.ofSeconds(90));
        proxy.cut(); // the worker is gone: its sockets reset, no cancel request ever comes
        long cut = System.nanoTime();
        awaitSessions("%pg_sleep(300)%", false, NOTICED_WITHIN);
        Duration took = Duration.ofNanos(System.nanoTime() - cut);
        assertTrue(took.compareTo(NOTICED_WITHIN) < 0, "gone after " + took);
      } finally {
        terminate("%pg_sleep(300)%");
        apply.handle((ok, e) -> null).get();
      }
    }
  }

  @Test
  void aKilledPgDumpsSessionIsGoneFromTheServerWithinSeconds() throws Exception {
    TargetConnections connections = connections(pg.primary().port());
    pg.primary().execute(database, "CREATE TABLE held (id int)");
    SchemaDumps dumps =
        new SchemaDumps(new PgTool(PgBinaries.require()), dir.resolve("worker-data"));
    try (Connection holder = pg.primary().connect(database)) {
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("LOCK TABLE held IN ACCESS EXCLUSIVE MODE");
      }
      CompletableFuture<?> dump =
          CompletableFuture.runAsync(
              () -> {
                try {
                  String options;
                  try (Connection c = connections.primary("app")) {
                    options = connections.sessionSettings().libpqOptions(c);
                  }
                  dumps.dump(connections.connectionSpec("app"), options);
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      try {
        awaitSessions("%LOCK TABLE public.held%", true, Duration.ofSeconds(90));
        ProcessHandle.current()
            .descendants()
            .filter(p -> p.info().command().orElse("").endsWith("pg_dump"))
            .forEach(ProcessHandle::destroyForcibly);
        awaitSessions("%LOCK TABLE public.held%", false, NOTICED_WITHIN);
      } finally {
        terminate("%LOCK TABLE public.held%");
        holder.rollback();
        dump.handle((ok, e) -> null).get();
      }
    }
  }

  @Test
  void aCleanupBlockedByALongTransactionGivesUpWithinItsBoundAndNamesTheBlocker() throws Exception {
    // Fails on the duplicate and leaves an INVALID index, which the cleanup drops; the reader's
    // open transaction is no obstacle to the index build, but DROP INDEX CONCURRENTLY waits for
    // it to end.
    String message =
        applyBehindAReader(
            "INSERT INTO other.t VALUES (1), (1)",
            "CREATE UNIQUE INDEX CONCURRENTLY t_v ON other.t (v);\n");
    assertTrue(message.contains("other.t_v"), message);
    assertTrue(message.contains("DROP INDEX CONCURRENTLY"), message);
  }

  @Test
  void aMigrationThatTimesOutOnItsLockNamesTheBlocker() throws Exception {
    String message = applyBehindAReader("SELECT 1", "ALTER TABLE other.t ADD COLUMN w int;\n");
    assertTrue(message.contains("lock timeout"), message);
  }

  /**
   * Applies {@code migration} (a lock_timeout of 2s) to table other.t while a report's open
   * transaction has read it (it holds ACCESS SHARE), and checks that the run failed within its
   * bounds naming the report's session: its failure message.
   */
  private String applyBehindAReader(String setUp, String migration) throws Exception {
    TargetConnections connections = connections(pg.primary().port());
    pg.primary().execute(database, "CREATE SCHEMA other", "CREATE TABLE other.t (v int)", setUp);
    Files.writeString(migrations.resolve("V1__change.sql"), migration);
    MigrationActivitiesImpl activities = activities(connections);
    try (Connection report = pg.primary().connect(database);
        Statement s = report.createStatement()) {
      report.setAutoCommit(false);
      s.execute("SET application_name = 'nightly-report'");
      s.executeQuery("SELECT count(*) FROM other.t").close();
      int pid;
      try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        pid = rs.getInt(1);
      }
      ApplicationFailure failure =
          assertTimeoutPreemptively(
              Duration.ofSeconds(90),
              () ->
                  assertThrows(
                      ApplicationFailure.class,
                      () ->
                          activities.applyMigrations(
                              new ApplyInput(
                                  "app",
                                  List.of("1"),
                                  Duration.ofSeconds(2),
                                  Duration.ofMinutes(5),
                                  "behind-a-reader"))));
      String message = failure.getOriginalMessage();
      assertEquals("MIGRATION_FAILED", failure.getType(), message);
      assertTrue(message.contains("pid " + pid), message);
      assertTrue(message.contains("nightly-report"), message);
      report.rollback();
      return message;
    }
  }

  @Test
  void everyRunbookSessionCarriesTheBounds() throws Exception {
    TargetConnections connections = connections(pg.primary().port());
    try (Connection c = connections.primary("app");
        Statement s = c.createStatement()) {
      assertEquals("5s", show(s, "lock_timeout"));
      assertEquals("2s", show(s, "client_connection_check_interval"));
    }
    assertEquals(SessionSettings.DEFAULTS, connections.sessionSettings());
  }

  private static String show(Statement s, String setting) throws SQLException {
    try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Waits until a session runs a statement like {@code pattern} ({@code present}) or none does. */
  private void awaitSessions(String pattern, boolean present, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if ((count(pattern) > 0) == present) {
        return;
      }
      Thread.sleep(100);
    }
    fail(
        "expected "
            + (present ? "a" : "no")
            + " session running "
            + pattern
            + " within "
            + within
            + ", but "
            + (present ? "none came" : "it still runs"));
  }

  private int count(String pattern) throws SQLException {
    try (Connection c = pg.primary().connect("postgres");
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE ? AND pid <>"
                    + " pg_backend_pid() AND query NOT LIKE '%pg_stat_activity%'")) {
      s.setString(1, pattern);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private void terminate(String pattern) throws SQLException {
    try (Connection c = pg.primary().connect("postgres");
        PreparedStatement s =
            c.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE ? AND pid"
                    + " <> pg_backend_pid() AND query NOT LIKE '%pg_stat_activity%'")) {
      s.setString(1, pattern);
      s.executeQuery().close();
    }
  }
}
