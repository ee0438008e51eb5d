package dev.runbooks.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.runbooks.activities.testing.PostgresExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LocalClusterTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @RegisterExtension
  static final PostgresExtension pg =
      PostgresExtension.newPrimary()
          .withReplicas(1)
          .withSetting("shared_preload_libraries", "pg_stat_statements");

  @Test
  void primaryAnswersSelectVersionWithTheSettingsAskedFor() throws SQLException {
    LocalCluster primary = pg.primary();
    assertEquals("127.0.0.1", primary.host());
    assertEquals(
        "jdbc:postgresql://127.0.0.1:" + primary.port() + "/postgres", primary.jdbcUrl("postgres"));
    String version = queryOne(primary, "select version()");
    assertTrue(
        version.startsWith("PostgreSQL " + primary.binaries().majorVersion() + "."), version);
    assertEquals("pg_stat_statements", queryOne(primary, "show shared_preload_libraries"));
    assertEquals("primary", queryOne(primary, "show cluster_name"));
    assertEquals("off", queryOne(primary, "show fsync"));
    assertTrue(primary.isRunning());
    assertTrue(primary.superuserPassword().isEmpty());
  }

  @Test
  void replicaStreamsWhatThePrimaryWrites() throws Exception {
    LocalCluster primary = pg.primary();
    LocalCluster replica = pg.replica(0);
    primary.execute(
        "postgres",
        "create table streamed (id int primary key)",
        "insert into streamed values (42)");

    long deadline = System.nanoTime() + PATIENCE.toNanos();
    String seen = "";
    while (!"1".equals(seen)) {
      try {
        seen = queryOne(replica, "select count(*) from streamed where id = 42");
      } catch (SQLException e) {
        seen = e.getMessage(); // the table itself may not have been replayed yet
      }
      if (System.nanoTime() > deadline) {
        fail(
            "expected the row inserted on the primary on the replica, but the replica says: "
                + seen);
      }
      Thread.sleep(20);
    }
    assertEquals("t", queryOne(replica, "select pg_is_in_recovery()"));
    assertEquals(
        "streaming",
        queryOne(
            primary, "select state from pg_stat_replication where application_name = 'replica0'"));
    assertEquals(List.of(replica), primary.replicas());
    assertEquals(primary, replica.primary().orElseThrow());
    assertTrue(replica.port() != primary.port());
  }

  @Test
  void newReplicaOnDemandStreams() throws SQLException {
    LocalCluster replica = pg.newReplica("ondemand");
    try {
      assertEquals(
          "streaming",
          queryOne(
              pg.primary(),
              "select state from pg_stat_replication where application_name = 'ondemand'"));
      assertThrows(IllegalArgumentException.class, () -> pg.primary().createReplica("ondemand"));
    } finally {
      replica.close();
    }
    assertFalse(pg.primary().replicas().contains(replica));
  }

  @Test
  void scramRefusesAWrongPasswordAndAcceptsTheRightOne() throws SQLException {
    try (LocalCluster cluster = LocalCluster.builder().name("scram").scram("right-pw").start()) {
      SQLException refused =
          assertThrows(
              SQLException.class,
              () ->
                  DriverManager.getConnection(cluster.jdbcUrl("postgres"), "postgres", "wrong-pw"));
      assertEquals("28P01", refused.getSQLState(), refused.getMessage());

      try (Connection right =
          DriverManager.getConnection(cluster.jdbcUrl("postgres"), "postgres", "right-pw")) {
        assertTrue(right.isValid(5));
      }
      assertEquals("right-pw", cluster.superuserPassword().orElseThrow());
      assertEquals(
          "t",
          queryOne(
              cluster,
              "select rolpassword like 'SCRAM-SHA-256$%' from pg_authid where rolname = 'postgres'"));
      assertFalse(Files.exists(cluster.directory().resolve("superuser.pw")), "initdb's pwfile");

      // Replication connections need the password too; the replica gets there and streams.
      try (LocalCluster replica = cluster.createReplica("scram-replica")) {
        assertEquals("t", queryOne(replica, "select pg_is_in_recovery()"));
      }
    }
  }

  @Test
  void walDefaultsLeaveWalRetentionAsPostgresShipsItAndReplicasStillStream() throws Exception {
    assertEquals("64MB", queryOne(pg.primary(), "show wal_keep_size"));
    try (LocalCluster cluster = LocalCluster.builder().name("waldefaults").walDefaults().start()) {
      assertEquals("0", queryOne(cluster, "show wal_keep_size"));
      assertEquals("off", queryOne(cluster, "show archive_mode"));
      // A checkpoint after a segment switch recycles the old segment: nothing keeps it.
      String first = queryOne(cluster, "select pg_walfile_name(pg_current_wal_lsn())");
      cluster.execute("postgres", "select pg_switch_wal()", "create table t (id int)");
      cluster.execute("postgres", "select pg_switch_wal()", "checkpoint");
      assertEquals(
          "0",
          queryOne(cluster, "select count(*) from pg_ls_waldir() where name = '" + first + "'"));
      try (LocalCluster replica = cluster.createReplica("waldefaults-r")) {
        cluster.execute("postgres", "insert into t values (1)");
        awaitRow(replica);
        assertEquals("0", queryOne(cluster, "select count(*) from pg_replication_slots"));
      }
    }
  }

  private static void awaitRow(LocalCluster replica) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!"1".equals(queryOne(replica, "select count(*) from t"))) {
      assertTrue(System.nanoTime() < deadline, "the replica did not replay the row");
      Thread.sleep(20);
    }
  }

  @Test
  void stopsAndStartsAgainKeepingItsData() throws SQLException {
    try (LocalCluster cluster = LocalCluster.builder().name("restart").start()) {
      int port = cluster.port();
      cluster.execute("postgres", "create table kept (id int)", "insert into kept values (1)");

      cluster.stop();
      assertFalse(cluster.isRunning());
      assertThrows(IllegalStateException.class, cluster::postmasterPid);
      cluster.start();
      assertEquals("1", queryOne(cluster, "select count(*) from kept"));

      cluster.execute("postgres", "insert into kept values (2)");
      cluster.stopImmediate();
      assertFalse(cluster.isRunning());
      cluster.start(); // crash recovery
      assertEquals("2", queryOne(cluster, "select count(*) from kept"));
      assertEquals(port, cluster.port());
    }
  }

  @Test
  void closeLeavesNoProcessAndNoDirectory() {
    // A replica is a whole cluster of its own, and cheaper to make than a new primary.
    LocalCluster cluster = pg.newReplica("closing");
    ProcessHandle postmaster = ProcessHandle.of(cluster.postmasterPid()).orElseThrow();
    Path directory = cluster.directory();
    assertTrue(Files.isDirectory(directory));
    assertTrue(directory.startsWith(LocalCluster.defaultRoot()));

    cluster.close();

    assertFalse(ClusterDirs.isRunning(postmaster));
    assertFalse(Files.exists(directory));
    assertFalse(cluster.isRunning());
    cluster.close(); // twice is fine
    assertThrows(IllegalStateException.class, cluster::start);
  }

  @Test
  void closeOfAStoppedClusterWhoseDirectoryIsGoneDoesNotThrow() {
    LocalCluster cluster = pg.newReplica("gone");
    cluster.stopImmediate();
    assertTrue(ClusterDirs.deleteTree(cluster.directory()));
    cluster.close();
    assertFalse(Files.exists(cluster.directory()));
  }

  @Test
  void aClusterKeptAfterExitIsNeitherCleanedUpAtExitNorReaped() {
    LocalCluster kept = pg.newReplica("kept");
    try {
      kept.keepAfterExit();
      assertFalse(Files.exists(kept.directory().resolve(ClusterDirs.OWNER_FILE)));
      assertFalse(
          LocalCluster.leftovers().openClusters().stream().anyMatch(c -> c.contains("'kept'")));
      LocalCluster.reapStale(LocalCluster.defaultRoot());
      assertTrue(kept.isRunning());
    } finally {
      kept.close();
    }
    assertFalse(Files.exists(kept.directory()));
  }

  @Test
  void jvmStoppedBySigtermStopsAndDeletesItsCluster() throws Exception {
    Path root = Files.createTempDirectory("runbooks-pg-test-");
    try {
      ChildCluster child = startChild(root);
      assertEquals(
          List.of(),
          LocalCluster.runningStrays(root),
          "a live JVM's cluster is not a stray, even to another JVM");
      child.process().destroy(); // SIGTERM: shutdown hooks run
      assertTrue(child.process().waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS), "child JVM exit");

      assertTrue(
          ClusterDirs.waitForExit(child.postmaster(), PATIENCE),
          "expected the child's postmaster to be stopped by its shutdown hook");
      assertFalse(
          Files.exists(child.dataDir().getParent()), child.dataDir().getParent() + " exists");
    } finally {
      LocalCluster.reapStale(root);
      ClusterDirs.deleteTree(root);
    }
  }

  @Test
  void clusterOfAKilledJvmIsReapedByTheNextJvmUsingTheRoot() throws Exception {
    Path root = Files.createTempDirectory("runbooks-pg-test-");
    try {
      ChildCluster child = startChild(root);
      child.process().destroyForcibly(); // SIGKILL: no shutdown hook
      assertTrue(child.process().waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS), "child JVM exit");
      assertTrue(
          ClusterDirs.isRunning(child.postmaster()), "a SIGKILLed JVM cannot stop its server");
      assertEquals(
          List.of(child.postmaster().pid()),
          LocalCluster.runningStrays(root).stream().map(ProcessHandle::pid).toList());

      // This JVM has not used the root before: its first cluster there reaps the stray.
      try (LocalCluster next = LocalCluster.builder().baseDir(root).name("next").start()) {
        assertTrue(ClusterDirs.waitForExit(child.postmaster(), PATIENCE), "stray postmaster");
        assertFalse(Files.exists(child.dataDir().getParent()));
        assertTrue(next.isRunning());
        assertEquals(
            List.of(next.postmasterPid()),
            LocalCluster.runningStrays(root).stream().map(ProcessHandle::pid).toList());
      }
      assertEquals(List.of(), LocalCluster.runningStrays(root));
    } finally {
      LocalCluster.reapStale(root);
      ClusterDirs.deleteTree(root);
    }
  }

  private record ChildCluster(Process process, Path dataDir, ProcessHandle postmaster) {}

  /** Starts ClusterInChildJvm and waits for it to report its cluster. */
  private static ChildCluster startChild(Path root) throws IOException, InterruptedException {
    Path output = root.resolve("child.out");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                ClusterInChildJvm.class.getName(),
                root.toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    Map<String, String> reported = new HashMap<>();
    while (reported.size() < 2) {
      String text = Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
      for (String line : text.split("\\R")) {
        int equals = line.indexOf('=');
        if (line.startsWith("DATA_DIR=") || line.startsWith("POSTMASTER_PID=")) {
          reported.put(line.substring(0, equals), line.substring(equals + 1).strip());
        }
      }
      if (reported.size() < 2 && (!process.isAlive() || System.nanoTime() > deadline)) {
        process.destroyForcibly();
        fail("expected the child JVM to report its cluster, but it printed:\n" + text);
      }
      Thread.sleep(50);
    }
    ProcessHandle postmaster =
        ProcessHandle.of(Long.parseLong(reported.get("POSTMASTER_PID"))).orElseThrow();
    return new ChildCluster(process, Path.of(reported.get("DATA_DIR")), postmaster);
  }

  private static String queryOne(LocalCluster cluster, String sql) throws SQLException {
    try (Connection connection = cluster.connect("postgres");
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      assertTrue(rows.next(), sql);
      return rows.getString(1);
    }
  }
}
