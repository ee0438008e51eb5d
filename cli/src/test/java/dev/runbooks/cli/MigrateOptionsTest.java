package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code migrate} refuses before any run starts (exit 2): an irreversible list naming a
 * version the directory does not have, negative lock retries, a drift accepted without a reason.
 */
class MigrateOptionsTest {
  @TempDir Path dir;

  private Cli cli(String irreversible) throws Exception {
    Path sql = Files.createDirectories(dir.resolve("vendor"));
    Files.writeString(sql.resolve("V1_1__create.sql"), "/* vendor */\nCREATE TABLE t (id int);\n");
    Files.writeString(sql.resolve("V1_10__more.sql"), "CREATE TABLE u (id int);\n");
    Path config =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n  vendor:\n    primary: { host: 127.0.0.1, port: 1, database: v }\n"
                + "    admin: { user: postgres }\n    production: false\n"
                + "    migrations: { path: vendor, irreversible: "
                + irreversible
                + " }\n");
    return new Cli(Cli.isolatedEnv()).with("RUNBOOKS_CONFIG", config.toString());
  }

  @Test
  void anIrreversibleVersionListedThatDoesNotExistIsAUsageError() throws Exception {
    Cli.Result r = cli("[\"1.1\", \"1.2+\"]").run("migrate", "--target", "vendor", "--embedded");
    assertEquals(ExitCodes.USAGE, r.code(), r.toString());
    assertTrue(
        r.err().contains("lists \"1.2+\", but there is no migration V1.2__*.sql in " + dir),
        r.toString());
    assertTrue(r.err().contains("the versions there are 1.1, 1.10"), r.toString());
    assertFalse(r.out().contains("Started"), "nothing may be started: " + r);
  }

  @Test
  void negativeLockRetriesAndADriftWithoutReasonAreUsageErrors() throws Exception {
    Cli cli = cli("[\"1.1+\"]");
    Cli.Result retries =
        cli.run("migrate", "--target", "vendor", "--lock-retries", "-1", "--embedded");
    assertEquals(ExitCodes.USAGE, retries.code(), retries.toString());
    assertTrue(retries.err().contains("--lock-retries -1 is negative"), retries.toString());
    Cli.Result drift =
        cli.run("migrate", "--target", "vendor", "--accept-drift", " ", "--embedded");
    assertEquals(ExitCodes.USAGE, drift.code(), drift.toString());
    assertTrue(drift.err().contains("--accept-drift needs a reason"), drift.toString());
  }
}
