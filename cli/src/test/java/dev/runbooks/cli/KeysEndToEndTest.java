package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup key is loud: the backup that creates the keyset says where it is and to copy it, in
 * its output and its run's result; {@code keys status} shows the key each backup needs and whether
 * it is there; {@code keys export} copies it and never overwrites.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeysEndToEndTest {
  private static final String PASSWORD = "ks-Secr3t-" + Long.toHexString(System.nanoTime());
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withScram(PASSWORD);

  @TempDir static Path dir;

  private static Cli cli;
  private static Path keyset;

  @BeforeAll
  static void configuration() throws Exception {
    LocalCluster primary = pg.primary();
    primary.execute("postgres", "CREATE DATABASE shop");
    primary.execute(
        "shop", "CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items VALUES (1)");
    SecretStores.open("file://" + dir.resolve("secrets.json"), dir)
        .write(
            "db/shop/admin",
            Map.of("username", "postgres", "password", PASSWORD),
            OptionalInt.of(0));
    keyset = dir.resolve("keys/backup-keyset.json");
    Path config =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  shop:\n"
                + "    primary: { host: 127.0.0.1, port: "
                + primary.port()
                + ", database: shop }\n"
                + "    admin: { secret: db/shop/admin }\n"
                + "secrets: file://secrets.json\n"
                + "repository: file://"
                + dir.resolve("backups")
                + "\nencryption: local-keyset:"
                + keyset
                + "\n");
    cli = new Cli(Cli.isolatedEnv()).with("RUNBOOKS_CONFIG", config.toString());
  }

  @Test
  @Order(1)
  void theBackupThatCreatesTheKeysetSaysWhereItIsAndToCopyIt() throws Exception {
    Cli.Result before = cli.run("keys", "status");
    assertEquals(0, before.code(), before.toString());
    assertTrue(before.out().contains("MISSING: no file at " + keyset), before.toString());
    assertTrue(before.out().contains("the first backup creates one"), before.toString());
    Cli.Result unfollowed =
        cli.with("TEMPORAL_ADDRESS", "127.0.0.1:1").run("backup", "--target", "shop");
    assertTrue(
        unfollowed.err().contains("NOTE: the backup key file " + keyset + " does not exist here"),
        unfollowed.toString());

    Cli.Result first = cli.run("backup", "--target", "shop", "--embedded", "--no-verify");
    assertEquals(0, first.code(), first.toString());
    String notice = "a NEW backup keyset was created at " + keyset + ": copy it somewhere safe";
    assertTrue(first.out().contains("NEW KEY     " + notice), first.toString());
    assertTrue(first.out().contains("[DONE]") && first.out().contains(notice), first.toString());

    Cli.Result second =
        cli.run("backup", "--target", "shop", "--embedded", "--no-verify", "--output", "json");
    assertEquals(0, second.code(), second.toString());
    JsonNode result = JSON.readTree(second.out());
    assertTrue(result.path("backup").path("newKeyset").isNull(), second.out());
    assertFalse(second.out().contains("NEW backup keyset"), second.toString());
  }

  @Test
  @Order(2)
  void statusShowsTheKeyEachBackupNeedsAndExportCopiesItOnce() throws Exception {
    Cli.Result status = cli.run("keys", "status", "--target", "shop");
    assertEquals(0, status.code(), status.toString());
    assertTrue(status.out().contains("present, holds local:"), status.toString());
    JsonNode json = JSON.readTree(cli.run("keys", "status", "--output", "json").out());
    assertEquals(2, json.path("backups").size(), json.toString());
    String keyId = json.path("keyIds").get(0).asText();
    for (JsonNode backup : json.path("backups")) {
      assertTrue(backup.path("backup").asText().startsWith("shop/"), backup.toString());
      assertEquals(keyId, backup.path("keyId").asText(), backup.toString());
      assertTrue(backup.path("present").asBoolean(), backup.toString());
    }

    Path copy = dir.resolve("safe/keyset-copy.json");
    Files.createDirectories(copy.getParent());
    Cli.Result export = cli.run("keys", "export", "--to", copy.toString());
    assertEquals(0, export.code(), export.toString());
    assertArrayEquals(Files.readAllBytes(keyset), Files.readAllBytes(copy));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)));
    assertTrue(export.out().contains("Keep the copy somewhere safe"), export.toString());

    Files.writeString(copy, "mine");
    Cli.Result again = cli.run("keys", "export", "--to", copy.toString());
    assertEquals(2, again.code(), again.toString());
    assertTrue(again.err().contains("exists: give a new file"), again.toString());
    assertEquals("mine", Files.readString(copy), "never overwritten");
  }

  @Test
  @Order(3)
  void statusSaysWhichBackupsCannotBeReadWhenTheKeyIsGone() throws Exception {
    Files.move(keyset, dir.resolve("keyset-elsewhere.json"));
    Cli.Result status = cli.run("keys", "status");
    assertEquals(1, status.code(), status.toString());
    assertTrue(status.out().contains("MISSING: no file at " + keyset), status.toString());
    assertTrue(status.out().contains("put your copy back there"), status.toString());
    assertTrue(status.out().contains("NO: no backup of these can be read"), status.toString());

    Cli.Result export = cli.run("keys", "export", "--to", dir.resolve("x.json").toString());
    assertEquals(2, export.code(), export.toString());
    assertTrue(export.err().contains("does not exist"), export.toString());
  }
}
