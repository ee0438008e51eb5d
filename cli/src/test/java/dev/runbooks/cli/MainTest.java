package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line itself: help, usage mistakes, configuration mistakes, Temporal unreachable. */
class MainTest {
  private static final List<String> COMMANDS =
      List.of(
          "dev",
          "worker",
          "demo",
          "check",
          "backup",
          "restore-drill",
          "backups",
          "restore",
          "decrypt",
          "schedule",
          "list",
          "status",
          "watch",
          "approve",
          "abort");

  @TempDir Path dir;

  private final Cli cli = new Cli(Cli.isolatedEnv());

  private Path config(String yaml) throws IOException {
    return Files.writeString(dir.resolve("runbooks.yaml"), yaml);
  }

  private static void assertMentions(Cli.Result result, String... parts) {
    for (String part : parts) {
      assertTrue(
          result.out().contains(part) || result.err().contains(part),
          () -> "expected \"" + part + "\" in:\n" + result);
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void helpListsEveryCommandAndTheExitCodes() {
    Cli.Result help = cli.run("--help");
    assertEquals(0, help.code(), help.toString());
    for (String command : COMMANDS) {
      assertTrue(
          help.out().lines().anyMatch(l -> l.strip().startsWith(command + " ")),
          () -> command + " missing from:\n" + help.out());
    }
    assertMentions(
        help,
        "Exit codes:",
        "0   done",
        "1   runbook failed",
        "2   usage or configuration error",
        "3   rolled back or aborted",
        "4   Temporal unreachable");
  }

  @Test
  void everyCommandsHelpShowsAnExample() {
    for (String command : COMMANDS) {
      Cli.Result help = cli.run(command, "--help");
      assertEquals(0, help.code(), help.toString());
      assertTrue(help.out().contains("Example:"), () -> command + ":\n" + help.out());
      assertTrue(
          help.out().contains("runbook " + command), () -> command + " example:\n" + help.out());
    }
  }

  @Test
  void noCommandIsAUsageError() {
    Cli.Result result = cli.run();
    assertEquals(2, result.code(), result.toString());
    assertMentions(result, "a command is missing", "runbook --help");
  }

  @Test
  void anUnknownCommandIsAUsageErrorWithASuggestion() {
    Cli.Result result = cli.run("staus", "x");
    assertEquals(2, result.code(), result.toString());
    assertMentions(result, "staus", "status");
  }

  @Test
  void aBadOptionIsAUsageError() {
    Cli.Result unknown = cli.run("check", "--target", "orders", "--bogus");
    assertEquals(2, unknown.code(), unknown.toString());
    assertMentions(unknown, "--bogus");

    Cli.Result missing = cli.run("check");
    assertEquals(2, missing.code(), missing.toString());
    assertMentions(missing, "--target");

    Cli.Result duration = cli.run("check", "--target", "orders", "--long-transaction", "soon");
    assertEquals(2, duration.code(), duration.toString());
    assertMentions(duration, "'soon' is not a duration", "5m");

    Cli.Result output = cli.run("list", "--output", "yaml");
    assertEquals(2, output.code(), output.toString());
    assertMentions(output, "yaml");
  }

  @Test
  void anUnknownTargetIsAConfigurationErrorListingTheKnownOnes() throws IOException {
    Path file =
        config(
            "targets:\n"
                + "  orders: { primary: { database: orders }, admin: { user: postgres } }\n"
                + "  billing: { primary: { database: billing }, admin: { user: postgres } }\n");
    Cli.Result result = cli.run("check", "--target", "ordres", "--config", file.toString());
    assertEquals(2, result.code(), result.toString());
    assertMentions(result, "unknown target \"ordres\"", "known targets: orders, billing", "Fix:");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "port out of range|targets:\\n  orders:\\n    primary: { database: a, port: 70000 }\\n"
            + "    admin: { user: postgres }\\n|targets.orders.primary.port|set a port between 1 and"
            + " 65535",
        "misspelt key|targets:\\n  orders:\\n    primry: { database: a }\\n    admin: { user: x"
            + " }\\n|targets.orders.primry|did you mean \"primary\"?",
        "no admin|targets:\\n  orders:\\n    primary: { database: a }\\n|targets.orders.admin|admin:"
            + " { user: postgres }",
        "bad sslmode|targets:\\n  orders:\\n    primary: { database: a, sslmode: verify }\\n    admin:"
            + " { user: x }\\n|targets.orders.primary.sslmode|set sslmode to one of those",
        "no targets|secrets: vault\\n|targets|primary: { host: db1",
        "bad target name|targets:\\n  Orders:\\n    primary: { database: a }\\n    admin: { user: x"
            + " }\\n|targets.Orders|rename it",
        "bad repository|targets:\\n  orders:\\n    primary: { database: a }\\n    admin: { user: x"
            + " }\\nrepository: /srv/b\\n|repository|write file:///srv/b",
      })
  void configurationMistakesExitTwoNamingTheKeyAndTheFix(
      String mistake, String yaml, String key, String fix) throws IOException {
    Path file = config(yaml.replace("\\n", "\n"));
    Cli.Result result = cli.run("check", "--target", "orders", "--config", file.toString());
    assertEquals(2, result.code(), mistake + ": " + result);
    assertMentions(result, file + ": " + key + ": ", "Fix: ", fix);
    assertTrue(result.err().startsWith("runbook check: "), result.toString());
    assertTrue(!result.err().contains("\tat "), "no stack trace for a known mistake: " + result);
  }

  @Test
  void aMissingConfigurationFileSaysWhereItLookedAndHowToPointElsewhere() {
    Path missing = dir.resolve("nope.yaml");
    Cli.Result result =
        cli.with("RUNBOOKS_CONFIG", missing.toString()).run("check", "--target", "x");
    assertEquals(2, result.code(), result.toString());
    assertMentions(result, missing + ": no such file", "--config FILE");
  }

  @Test
  void anUnreachableTemporalExitsFourNamingTheAddress() throws IOException {
    String address = "127.0.0.1:" + closedPort();
    Cli.Result status = cli.run("status", "check-orders-20250101T000000", "--temporal", address);
    assertEquals(4, status.code(), status.toString());
    assertMentions(status, "Temporal is unreachable at " + address, "runbook dev");

    Cli.Result fromEnv = cli.with("TEMPORAL_ADDRESS", address).run("list");
    assertEquals(4, fromEnv.code(), fromEnv.toString());
    assertMentions(fromEnv, address);

    Path file =
        config(
            "targets:\n  orders: { primary: { database: orders }, admin: { user: postgres } }\n");
    Cli.Result check =
        cli.run("check", "--target", "orders", "--config", file.toString(), "--temporal", address);
    assertEquals(4, check.code(), check.toString());
    assertMentions(check, address);
  }

  @Test
  void malformedTemporalSettingsAreAUsageError() throws IOException {
    Cli.Result noPort = cli.run("list", "--temporal", "temporal.internal");
    assertEquals(2, noPort.code(), noPort.toString());
    assertMentions(noPort, "HOST:PORT");

    Path cert = Files.writeString(dir.resolve("client.pem"), "not a certificate");
    Cli.Result halfTls = cli.run("list", "--tls-cert", cert.toString());
    assertEquals(2, halfTls.code(), halfTls.toString());
    assertMentions(halfTls, "--tls-key");

    Cli.Result profile = cli.with("TEMPORAL_PROFILE", "staging").run("list");
    assertEquals(2, profile.code(), profile.toString());
    assertMentions(profile, "staging");
  }

  @Test
  void devRefusesTheTemporalOption() {
    Cli.Result result = cli.run("dev", "--temporal", "127.0.0.1:7233");
    assertEquals(2, result.code(), result.toString());
    assertMentions(result, "--port", "runbook worker");
  }
}
