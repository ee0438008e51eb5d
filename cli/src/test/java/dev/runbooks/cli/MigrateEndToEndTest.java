package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runbook migrate} through the CLI with {@code --embedded} on a real primary, with the
 * sample shop migrations: to a version, then to the newest, and the refusal of {@code
 * --auto-approve} on a production target.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrateEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  @TempDir static Path dir;

  private static Cli cli;

  @BeforeAll
  static void configuration() throws Exception {
    LocalCluster primary = pg.primary();
    primary.execute("postgres", "CREATE DATABASE shop");
    Path config = ShopConfig.write(dir, primary, true);
    cli = new Cli(Cli.isolatedEnv()).with("RUNBOOKS_CONFIG", config.toString());
  }

  @Test
  @Order(1)
  void autoApproveIsRefusedForAProductionTarget() {
    Cli.Result refused = cli.run("migrate", "--target", "shopprod", "--auto-approve", "--embedded");
    assertEquals(ExitCodes.USAGE, refused.code(), refused.toString());
    assertTrue(
        refused.err().contains("--auto-approve is only for targets marked production: false"),
        refused.toString());
  }

  @Test
  @Order(2)
  void migratesToAVersionPrintingThePlanRehearsalAndBackup() {
    Cli.Result run =
        cli.run("migrate", "--target", "shop", "--to", "5", "--auto-approve", "--embedded");
    assertEquals(0, run.code(), run.toString());
    String out = run.out();
    assertTrue(out.contains("Migration of shop: no version -> V5"), run.toString());
    assertTrue(out.contains("V4  V4__create_order_items.sql  down: U4__create_order_items.sql"));
    assertTrue(out.contains("equal to the one before: rollback proven"), run.toString());
    assertTrue(out.contains("(verified, before any change)"), run.toString());
    assertTrue(out.lines().anyMatch(l -> l.matches("  applied +V1 .*, V5 .*")), run.toString());
  }

  @Test
  @Order(3)
  void migratesTheRestAsJson() throws Exception {
    Cli.Result run =
        cli.run("migrate", "--target", "shop", "--auto-approve", "--embedded", "--output", "json");
    assertEquals(0, run.code(), run.toString());
    Schemas.assertValid("migrate", run);
    JsonNode result = JSON.readTree(run.out());
    assertEquals("SUCCEEDED", result.path("outcome").asText(), result.toString());
    assertEquals("5", result.path("fromVersion").asText());
    assertEquals("13", result.path("toVersion").asText());
    assertEquals(8, result.path("applied").size(), result.toString());
    assertTrue(result.path("rehearsal").path("rollbackProven").asBoolean());
    assertTrue(
        result.path("rehearsal").path("source").asText().startsWith("backup "),
        "the first run's verified backup is restored to rehearse");
    // orders and products exist now: the rename and the type change are the lint's findings.
    JsonNode lint = result.path("plan").path("lint");
    assertEquals(2, lint.size(), lint.toString());
    assertEquals("renaming-column", lint.get(0).path("rule").asText(), lint.toString());
    assertEquals("V9__rename_orders_status.sql", lint.get(0).path("script").asText());
    assertEquals(1, lint.get(0).path("line").asInt(), lint.toString());
    assertEquals("changing-column-type", lint.get(1).path("rule").asText(), lint.toString());
    assertEquals("V10__widen_product_price.sql", lint.get(1).path("script").asText());
  }
}
