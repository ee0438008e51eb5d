package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input is exit 2 through the real CLI, whether the CLI can see it ({@code --backup}, {@code
 * --to} malformed) or only a run can ({@code --into} a database that exists, {@code --to} a version
 * there is no script for); and a run refused on bad input changed nothing, so it never says it
 * rolled back.
 */
class BadInputExitCodesTest {
  private static final Pattern BACKUP = Pattern.compile("Backup (\\S+) of shop");

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  @TempDir static Path dir;

  private static Cli cli;

  @BeforeAll
  static void configuration() throws Exception {
    LocalCluster primary = pg.primary();
    primary.execute("postgres", "CREATE DATABASE shop", "CREATE DATABASE taken");
    primary.execute("taken", "CREATE TABLE keep (n int)", "INSERT INTO keep VALUES (1)");
    Path config = ShopConfig.write(dir, primary, false);
    cli = new Cli(Cli.isolatedEnv()).with("RUNBOOKS_CONFIG", config.toString());
  }

  @Test
  void aMalformedBackupIdIsAUsageError() {
    for (String command : new String[] {"restore", "restore-drill"}) {
      Cli.Result r =
          command.equals("restore")
              ? cli.run(
                  "restore",
                  "--target",
                  "shop",
                  "--backup",
                  "../../etc",
                  "--into",
                  "shop_restored",
                  "--embedded")
              : cli.run("restore-drill", "--target", "shop", "--backup", "../../etc", "--embedded");
      assertEquals(ExitCodes.USAGE, r.code(), r.toString());
      assertTrue(r.err().contains("--backup"), r.toString());
      assertTrue(r.err().contains("expected a backup id such as"), r.toString());
      assertFalse(r.out().contains("Started"), "nothing may be started: " + r);
    }
  }

  @Test
  void aMalformedOrUnknownTargetVersionIsAUsageError() throws SQLException {
    Cli.Result malformed =
        cli.run("migrate", "--target", "shop", "--to", "seven", "--auto-approve", "--embedded");
    assertEquals(ExitCodes.USAGE, malformed.code(), malformed.toString());
    assertTrue(malformed.err().contains("--to seven"), malformed.toString());
    assertFalse(malformed.out().contains("Started"), "nothing may be started: " + malformed);

    Cli.Result unknown =
        cli.run("migrate", "--target", "shop", "--to", "99", "--auto-approve", "--embedded");
    assertEquals(ExitCodes.USAGE, unknown.code(), unknown.toString());
    assertTrue(unknown.toString().contains("no migration V99"), unknown.toString());
    assertNoRollbackReported(unknown);
    assertEquals(0, count("shop", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
  }

  @Test
  void aRestoreIntoAnExistingDatabaseIsAUsageErrorThatRollsNothingBack() throws SQLException {
    Cli.Result backup = cli.run("backup", "--target", "shop", "--embedded");
    assertEquals(ExitCodes.DONE, backup.code(), backup.toString());
    Matcher m = BACKUP.matcher(backup.out());
    assertTrue(m.find(), backup.toString());

    Cli.Result refused =
        cli.run(
            "restore", "--target", "shop", "--backup", m.group(1), "--into", "taken", "--embedded");
    assertEquals(ExitCodes.USAGE, refused.code(), refused.toString());
    assertTrue(refused.toString().contains("already exists"), refused.toString());
    assertNoRollbackReported(refused);
    assertEquals(1, count("taken", "SELECT count(*) FROM keep"), "the existing database is kept");
  }

  @Test
  void aLintSuppressionWithoutAReasonIsAUsageError() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("unexplained"));
    Files.writeString(migrations.resolve("V1__create_a.sql"), "CREATE TABLE a (id int);\n");
    Files.writeString(migrations.resolve("U1__create_a.sql"), "DROP TABLE a;\n");
    Files.writeString(
        migrations.resolve("V2__drop_keep.sql"),
        "-- runbooks: irreversible: drops keep\n-- runbooks:lint ignore ban-drop-table\n"
            + "DROP TABLE IF EXISTS keep;\n");
    Path config = dir.resolve("runbooks.yaml");
    Path unexplained =
        Files.writeString(
            dir.resolve("unexplained.yaml"),
            Files.readString(config)
                .replace(
                    Path.of("../runbooks/examples/migrations/orders").toAbsolutePath().toString(),
                    migrations.toString()));
    Cli.Result r =
        cli.with("RUNBOOKS_CONFIG", unexplained.toString())
            .run("migrate", "--target", "shop", "--auto-approve", "--embedded");
    assertEquals(ExitCodes.USAGE, r.code(), r.toString());
    assertTrue(
        r.toString()
            .contains(
                "V2__drop_keep.sql line 3: '-- runbooks:lint ignore ban-drop-table' gives no"
                    + " reason"),
        r.toString());
    assertNoRollbackReported(r);
    assertEquals(0, count("shop", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
  }

  private static void assertNoRollbackReported(Cli.Result r) {
    String all = r.toString();
    assertFalse(all.contains("ROLLED_BACK"), "a run that changed nothing rolled back: " + r);
    assertFalse(all.contains("rolled back"), "a run that changed nothing rolled back: " + r);
    assertFalse(all.contains("[COMPENSATED]"), "a run that changed nothing rolled back: " + r);
  }

  private static int count(String database, String sql) throws SQLException {
    try (Connection c = pg.primary().connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
