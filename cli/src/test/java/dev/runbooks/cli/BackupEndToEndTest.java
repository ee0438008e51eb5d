package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.activities.testing.SecretScan;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.worker.EmbeddedRunbooks;
import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup runbooks through the CLI with {@code --embedded}, on a real PostgreSQL primary with a
 * scram login, a file repository and a local keyset: backup with its drill, the listing, an
 * incident restore, and the manual procedure (decrypt, then pg_restore) on the same backup.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupEndToEndTest {
  private static final String PASSWORD = "bk-Secr3t-" + Long.toHexString(System.nanoTime());
  private static final Pattern BACKUP = Pattern.compile("Backup (\\S+) of orders");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ORDERS = 2000;

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withScram(PASSWORD);

  @TempDir static Path dir;

  private static Cli cli;
  private static String backupId;

  @BeforeAll
  static void sampleDatabaseAndConfiguration() throws Exception {
    LocalCluster primary = pg.primary();
    primary.execute("postgres", "CREATE DATABASE orders");
    primary.execute(
        "orders",
        "CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text)",
        "CREATE TABLE orders (id bigserial PRIMARY KEY,"
            + " customer_id bigint NOT NULL REFERENCES customers (id), total_cents int)",
        "CREATE INDEX orders_customer_idx ON orders (customer_id)",
        "CREATE VIEW big_orders AS SELECT * FROM orders WHERE total_cents > 10000",
        "INSERT INTO customers (name) SELECT 'c' || g FROM generate_series(1, 100) g",
        "INSERT INTO orders (customer_id, total_cents) SELECT 1 + g % 100, g * 7 % 20000"
            + " FROM generate_series(1, "
            + ORDERS
            + ") g");
    SecretStores.open("file://" + dir.resolve("secrets.json"), dir)
        .write(
            "db/orders/admin",
            Map.of("username", "postgres", "password", PASSWORD),
            OptionalInt.of(0));
    Path config =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  orders:\n"
                + "    primary: { host: 127.0.0.1, port: "
                + primary.port()
                + ", database: orders }\n"
                + "    admin: { secret: db/orders/admin }\n"
                + "secrets: file://secrets.json\n"
                + "repository: file://"
                + dir.resolve("backups")
                + "\nencryption: local-keyset:"
                + dir.resolve("keys/backup-keyset.json")
                + "\nretention: { keepLast: 5 }\n"
                + "backupFreshness: PT26H\n");
    cli = new Cli(Cli.isolatedEnv()).with("RUNBOOKS_CONFIG", config.toString());
  }

  private static void assertNoPassword(Cli.Result result) {
    assertFalse(
        result.out().contains(PASSWORD) || result.err().contains(PASSWORD), "password shown");
  }

  private static long count(String database, String sql) throws SQLException {
    try (Connection c = pg.primary().connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next());
      return rs.getLong(1);
    }
  }

  @Test
  @Order(1)
  void anEmbeddedBackupStoresAnEncryptedDumpAndItsDrillPasses() throws Exception {
    Cli.Result backup = cli.run("backup", "--target", "orders", "--embedded");
    assertEquals(0, backup.code(), backup.toString());
    assertNoPassword(backup);
    Matcher m = BACKUP.matcher(backup.out());
    assertTrue(m.find(), backup.toString());
    backupId = m.group(1);
    assertTrue(backup.out().contains("drill       passed"), backup.toString());
    assertTrue(backup.out().contains("rows"), backup.toString());
    assertTrue(
        backup
            .out()
            .lines()
            .anyMatch(l -> l.matches("backup-orders-\\S+: SUCCEEDED \\(exit 0\\).*")),
        backup.toString());

    Path stored = dir.resolve("backups/orders/" + backupId);
    assertTrue(Files.isRegularFile(stored.resolve("manifest.json")), stored.toString());
    byte[] dump = Files.readAllBytes(stored.resolve("dump.enc"));
    assertFalse(
        new String(dump, java.nio.charset.StandardCharsets.ISO_8859_1).contains("customers"),
        "the stored dump is encrypted: no table name in it");
    assertTrue(Files.exists(dir.resolve("keys/backup-keyset.json")));
    assertEquals(
        0,
        count(
            "postgres",
            "SELECT count(*) FROM pg_database WHERE datname NOT IN"
                + " ('postgres', 'orders', 'template0', 'template1')"),
        "the drill dropped its scratch database");
  }

  @Test
  @Order(2)
  void theListingShowsTheVerifiedBackupAndIsFresh() throws Exception {
    Cli.Result list = cli.run("backups", "--target", "orders", "--embedded", "--output", "json");
    assertEquals(0, list.code(), list.toString());
    JsonNode catalog = JSON.readTree(list.out());
    assertTrue(catalog.path("fresh").asBoolean(), catalog.toString());
    assertEquals(backupId, catalog.path("newestVerified").asText());
    JsonNode first = catalog.path("backups").get(0);
    assertEquals(backupId, first.path("backupId").asText());
    assertTrue(first.path("complete").asBoolean());
    assertTrue(first.path("drillPassed").asBoolean(), first.toString());

    Cli.Result text = cli.run("backups", "--target", "orders", "--embedded");
    assertEquals(0, text.code(), text.toString());
    assertTrue(
        text.out().lines().anyMatch(l -> l.contains(backupId) && l.contains("passed")),
        text.toString());
  }

  @Test
  @Order(3)
  void anIncidentRestoreMakesANewDatabaseWithTheData() throws Exception {
    Cli.Result restore =
        cli.run(
            "restore",
            "--target",
            "orders",
            "--backup",
            backupId,
            "--into",
            "orders_restored",
            "--embedded");
    assertEquals(0, restore.code(), restore.toString());
    assertNoPassword(restore);
    assertTrue(
        restore.out().contains("Restored backup " + backupId + " into database orders_restored"),
        restore.toString());
    assertTrue(
        restore.out().contains("Compared: 2 tables match the backup's manifest"),
        restore.toString());
    assertEquals(ORDERS, count("orders_restored", "SELECT count(*) FROM orders"));
    assertEquals(
        count("orders", "SELECT count(*) FROM big_orders"),
        count("orders_restored", "SELECT count(*) FROM big_orders"));
  }

  @Test
  @Order(4)
  void aSecondRestoreIntoTheSameNameIsRefusedAndLeavesTheFirstOnesDataAlone() throws Exception {
    Cli.Result again =
        cli.run(
            "restore",
            "--target",
            "orders",
            "--backup",
            backupId,
            "--into",
            "orders_restored",
            "--embedded");
    assertTrue(again.code() != 0, "an existing database is never restored into: " + again);
    assertTrue(again.out().contains("already exists"), again.toString());
    assertEquals(
        1,
        count("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'orders_restored'"),
        "the refused restore's rollback dropped the database an earlier restore made: " + again);
    assertEquals(ORDERS, count("orders_restored", "SELECT count(*) FROM orders"));
  }

  @Test
  @Order(5)
  void byHandDecryptThenPgRestoreGivesTheSameData() throws Exception {
    Path out = dir.resolve("orders.dump");
    Cli.Result decrypt =
        cli.run("decrypt", "--target", "orders", "--backup", backupId, "--out", out.toString());
    assertEquals(0, decrypt.code(), decrypt.toString());
    assertTrue(Files.size(out) > 0);

    LocalCluster primary = pg.primary();
    primary.execute("postgres", "CREATE DATABASE orders_by_hand");
    List<String> argv = new ArrayList<>();
    argv.add(primary.binaries().bin("pg_restore").toString());
    argv.addAll(
        List.of(
            "-h",
            "127.0.0.1",
            "-p",
            String.valueOf(primary.port()),
            "-U",
            "postgres",
            "--no-owner",
            "-j",
            "2",
            "-d",
            "orders_by_hand",
            out.toString()));
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().put("PGPASSWORD", PASSWORD);
    Process p = builder.start();
    String output = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "pg_restore finished");
    assertEquals(0, p.exitValue(), output);
    assertEquals(ORDERS, count("orders_by_hand", "SELECT count(*) FROM orders"));
    assertEquals(
        count("orders", "SELECT sum(total_cents) FROM orders"),
        count("orders_by_hand", "SELECT sum(total_cents) FROM orders"));
    try (Stream<Path> left = Files.list(dir)) {
      assertFalse(left.anyMatch(f -> f.getFileName().toString().endsWith(".partial")));
    }
  }

  @Test
  @Order(6)
  void aRestoreDrillOfTheSameBackupPassesAgain() throws IOException {
    Cli.Result drill =
        cli.run(
            "restore-drill",
            "--target",
            "orders",
            "--backup",
            backupId,
            "--embedded",
            "--output",
            "json");
    assertEquals(0, drill.code(), drill.toString());
    Schemas.assertValid("restore-drill", drill);
    JsonNode json = JSON.readTree(drill.out());
    assertTrue(json.path("drill").path("passed").asBoolean(), json.toString());
    assertEquals(backupId, json.path("drill").path("backupId").asText());
  }

  @Test
  @Order(7)
  void noRunOfABackupHoldsThePasswordInItsHistory() throws Exception {
    Path config = Path.of(cli.env().get("RUNBOOKS_CONFIG"));
    try (EmbeddedRunbooks local =
        EmbeddedRunbooks.start(0, ConfigLoader.load(config, Map.of()), "runbooks")) {
      Cli.Result backup =
          cli.with("TEMPORAL_ADDRESS", local.temporal().address())
              .run("backup", "--target", "orders", "--wait", "--id", "backup-orders-scan");
      assertEquals(0, backup.code(), backup.toString());
      Matcher drill =
          Pattern.compile("drill (restore-drill-orders-\\S+) passed").matcher(backup.out());
      assertTrue(drill.find(), backup.toString());
      WorkflowClient client = local.connection().client();
      SecretScan.assertNoSecrets(client, "backup-orders-scan", List.of(PASSWORD));
      SecretScan.assertNoSecrets(client, drill.group(1), List.of(PASSWORD));
    }
  }
}
