package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local keyset moved away in front of a verified backup, with {@code keepLast: 1}, through the
 * real CLI (issue 11, item 1): the drill and the next backup are configuration errors (exit 2)
 * naming the key the backup needs, neither makes a new keyset, the backup's verdict is untouched
 * and retention keeps it, and with the keyset back the backup still restores.
 */
class MovedKeysetEndToEndTest {
  private static final Pattern BACKUP = Pattern.compile("Backup (\\S+) of shop");
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  @TempDir static Path dir;

  @Test
  void aMovedKeysetIsAUsageErrorThatNeverCostsTheVerifiedBackup() throws Exception {
    LocalCluster primary = pg.primary();
    primary.execute("postgres", "CREATE DATABASE shop");
    primary.execute(
        "shop",
        "CREATE TABLE orders (id bigint PRIMARY KEY, total_cents int)",
        "INSERT INTO orders SELECT g, g * 7 % 20000 FROM generate_series(1, 500) g");
    Path config = ShopConfig.write(dir, primary, "shop", "retention: { keepLast: 1 }\n");
    Cli cli = new Cli(Cli.isolatedEnv()).with("RUNBOOKS_CONFIG", config.toString());

    Cli.Result backup = cli.run("backup", "--target", "shop", "--embedded");
    assertEquals(ExitCodes.DONE, backup.code(), backup.toString());
    assertTrue(backup.out().contains("drill       passed"), backup.toString());
    Matcher m = BACKUP.matcher(backup.out());
    assertTrue(m.find(), backup.toString());
    String a = m.group(1);
    Path stored = dir.resolve("backups/shop/" + a);
    String neededKey =
        JSON.readTree(stored.resolve("manifest.json").toFile())
            .path("wrappedKey")
            .path("kekId")
            .asText();
    assertTrue(neededKey.startsWith("local:"), "the manifest names its key: " + neededKey);
    byte[] verdict = Files.readAllBytes(stored.resolve("verdict.json"));

    Path keyset = dir.resolve("keyset.json");
    Path away = Files.move(keyset, dir.resolve("keyset.json.away"));

    Cli.Result drill = cli.run("restore-drill", "--target", "shop", "--backup", a, "--embedded");
    assertEquals(ExitCodes.USAGE, drill.code(), drill.toString());
    assertTrue(drill.toString().contains(neededKey), "names the key needed: " + drill);
    assertFalse(Files.exists(keyset), "a new keyset was made in front of a backup: " + drill);
    assertArrayEquals(
        verdict,
        Files.readAllBytes(stored.resolve("verdict.json")),
        "a drill refused for its key rewrote the backup's verdict: " + drill);

    Cli.Result next = cli.run("backup", "--target", "shop", "--embedded");
    assertEquals(ExitCodes.USAGE, next.code(), next.toString());
    assertTrue(next.toString().contains(neededKey), "names the key needed: " + next);
    assertFalse(Files.exists(keyset), "a new keyset was made in front of a backup: " + next);
    assertEquals(List.of(a), backups(), "a refused backup pruned or added a backup: " + next);
    assertTrue(Files.isRegularFile(stored.resolve("dump.enc")), "the backup's dump is kept");
    assertArrayEquals(verdict, Files.readAllBytes(stored.resolve("verdict.json")));

    Files.move(away, keyset);
    Cli.Result again = cli.run("restore-drill", "--target", "shop", "--backup", a, "--embedded");
    assertEquals(ExitCodes.DONE, again.code(), again.toString());
    assertTrue(again.out().contains("passed"), again.toString());
  }

  private static List<String> backups() throws Exception {
    try (Stream<Path> ids = Files.list(dir.resolve("backups/shop"))) {
      return ids.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
