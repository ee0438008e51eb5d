package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration whose first version fails on the target's data changed nothing: {@code runbook
 * migrate} exits 1 (FAILED, not ROLLED_BACK) and says which versions were applied, undone and left
 * and that the schema equals the one before, in text and in {@code --output json}.
 */
class MigrateFailedEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  @TempDir Path dir;

  @Test
  void aFirstVersionThatFailsIsFailedWithTheVersionsLeft() throws Exception {
    LocalCluster primary = pg.primary();
    primary.execute("postgres", "CREATE DATABASE shop");
    primary.execute(
        "shop",
        "CREATE SCHEMA legacy",
        "CREATE TABLE legacy.signups (email text)",
        "INSERT INTO legacy.signups VALUES ('not-an-email')");
    Path sql = Files.createDirectories(dir.resolve("sql"));
    // Passes on the rehearsal's schema-only copy (no rows), fails on the target's data.
    Files.writeString(
        sql.resolve("V1__check_signups.sql"),
        "ALTER TABLE legacy.signups ADD CONSTRAINT signups_email CHECK (email LIKE '%@%');\n");
    Files.writeString(
        sql.resolve("U1__check_signups.sql"),
        "ALTER TABLE legacy.signups DROP CONSTRAINT signups_email;\n");
    Path config = ShopConfig.write(dir, primary, "shop", "");
    Files.writeString(
        config,
        Files.readString(config)
            .replaceFirst("migrations: .*", "migrations: " + sql.toString().replace("\\", "/")));
    Cli cli = new Cli(Cli.isolatedEnv()).with("RUNBOOKS_CONFIG", config.toString());

    Cli.Result text = cli.run("migrate", "--target", "shop", "--auto-approve", "--embedded");
    assertEquals(ExitCodes.RUNBOOK_FAILED, text.code(), text.toString());
    assertTrue(text.out().contains("Migration of shop ended FAILED"), text.toString());
    assertTrue(text.out().contains("  applied     none"), text.toString());
    assertTrue(text.out().contains("  not applied V1"), text.toString());
    assertTrue(text.out().contains("  schema      equal to the one before"), text.toString());

    Cli.Result json =
        cli.run("migrate", "--target", "shop", "--auto-approve", "--embedded", "--output", "json");
    assertEquals(ExitCodes.RUNBOOK_FAILED, json.code(), json.toString());
    JsonNode result = JSON.readTree(json.out());
    assertEquals("FAILED", result.path("outcome").asText(), result.toString());
    JsonNode versions = result.path("versions");
    assertEquals(0, versions.path("applied").size(), result.toString());
    assertEquals(0, versions.path("undone").size(), result.toString());
    assertEquals("1", versions.path("left").path(0).asText(), result.toString());
    assertTrue(versions.path("schemaEqualsBefore").asBoolean(), result.toString());
  }
}
