package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.PostgresExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Errors a user causes get their message and exit code, never "This is a bug" or a stack trace on
 * the terminal: stack traces go to the log file (or stderr with --debug).
 */
class UserErrorsTest {
  private static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at [\\w$.]+\\(");

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withScram("right-password");

  @TempDir static Path dir;

  private static Cli cli;
  private static Path config;

  @BeforeAll
  static void configuration() throws Exception {
    pg.primary().execute("postgres", "CREATE DATABASE shop");
    config = ShopConfig.write(dir, pg.primary(), false); // its secret says "unused"
    cli = new Cli(Cli.isolatedEnv()).with("RUNBOOKS_CONFIG", config.toString());
  }

  /** The command's result, and whatever else reached the process's stderr meanwhile (logs). */
  private static Cli.Result onTerminal(Cli cli, String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Cli.Result r;
    try {
      r = cli.run(args);
    } finally {
      System.setErr(original);
    }
    return new Cli.Result(r.code(), r.out(), r.err() + captured.toString(StandardCharsets.UTF_8));
  }

  private static void assertNoCrash(Cli.Result r) {
    assertFalse(STACK_FRAME.matcher(r.out() + r.err()).find(), "a stack trace:\n" + r);
    assertFalse(r.toString().contains("This is a bug"), r.toString());
  }

  @Test
  void aCronFieldOutOfRangeIsAUsageErrorNamingTheField() {
    Cli.Result r =
        onTerminal(
            cli,
            "schedule",
            "create",
            "nightly-shop",
            "--runbook",
            "backup",
            "--target",
            "shop",
            "--cron",
            "0 25 * * *");
    assertEquals(ExitCodes.USAGE, r.code(), r.toString());
    assertTrue(r.err().contains("hour"), r.toString());
    assertTrue(r.err().contains("25"), r.toString());
    assertTrue(r.err().contains("0-23"), r.toString());
    assertNoCrash(r);

    Cli.Result weekday =
        onTerminal(
            cli,
            "schedule",
            "create",
            "weekly-shop",
            "--runbook",
            "backup",
            "--target",
            "shop",
            "--cron",
            "0 2 * * 9");
    assertEquals(ExitCodes.USAGE, weekday.code(), weekday.toString());
    assertTrue(weekday.err().contains("day-of-week"), weekday.toString());
    assertNoCrash(weekday);
  }

  @Test
  void aWrongPasswordUnderEmbeddedSaysSoWithoutAStackTrace() {
    Cli.Result r = onTerminal(cli, "backup", "--target", "shop", "--embedded", "--no-verify");
    assertEquals(ExitCodes.RUNBOOK_FAILED, r.code(), r.toString());
    assertTrue(r.toString().contains("password"), r.toString());
    assertNoCrash(r);
  }

  @Test
  void aMissingSecretsFileIsAConfigurationErrorNamingTheFile() throws Exception {
    Path elsewhere =
        Files.writeString(
            dir.resolve("missing-secrets.yaml"),
            Files.readString(config)
                .replace("secrets: file://secrets.json", "secrets: file://no-such-secrets.json"));
    Cli.Result r =
        onTerminal(
            cli,
            "backup",
            "--target",
            "shop",
            "--embedded",
            "--no-verify",
            "--config",
            elsewhere.toString());
    assertEquals(ExitCodes.USAGE, r.code(), r.toString());
    assertTrue(r.toString().contains("no-such-secrets.json"), r.toString());
    assertTrue(r.toString().contains("does not exist"), r.toString());
    assertFalse(r.toString().contains("has no"), "not a missing key:\n" + r);
    assertNoCrash(r);
  }

  @Test
  void debugPrintsTheTraceOfAnError() {
    Cli.Result r = onTerminal(cli, "list", "--temporal", "nowhere", "--debug");
    assertEquals(ExitCodes.USAGE, r.code(), r.toString());
    assertTrue(STACK_FRAME.matcher(r.err()).find(), "--debug shows the trace:\n" + r);
  }
}
