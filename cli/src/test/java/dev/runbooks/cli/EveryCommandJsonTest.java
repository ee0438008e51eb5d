package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.worker.EmbeddedRunbooks;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command of picocli's tree is run with {@code -o json}: its document is validated against
 * its published JSON Schema, or the command refuses JSON with exit 2. A command added to the tree
 * and to neither table fails this test, so none can be forgotten.
 *
 * <p>Runbook commands run against the port-bound in-memory Temporal with a real worker on a real
 * PostgreSQL primary and replica, in an order where each leaves what the next needs (a backup for
 * the drill, the restore and decrypt; the switchover last, as it fences the primary). The approval
 * commands run on the contract's small gated runbook ({@link GatedRuns}).
 */
class EveryCommandJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "json-Secr3t-" + Long.toHexString(System.nanoTime());

  /** Commands that print no document, and how to ask each for one: exit 2 is the answer. */
  private static final Map<String, List<String>> REFUSED =
      Map.of(
          "watch", List.of("watch", "some-run"),
          "demo", List.of("demo"),
          "dev", List.of("dev"),
          "worker", List.of("worker"),
          "completion", List.of("completion", "bash"),
          "codec-server", List.of("codec-server"));

  /** Only their subcommands' parent: no document of their own. */
  private static final Set<String> GROUPS = Set.of("schedule", "archive", "keys");

  @RegisterExtension
  static final PostgresExtension pg =
      PostgresExtension.newPrimary().withReplicas(1).withScram(PASSWORD);

  @TempDir static Path dir;

  private static GatedRuns gated;
  private static EmbeddedRunbooks local;
  private static Cli cli;

  /** What each command was run as, with its exit code; the documents are validated as they come. */
  private final Map<String, String> exercised = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    gated = new GatedRuns();
    pg.primary().execute("postgres", "CREATE DATABASE shop", "CREATE ROLE shop_app NOLOGIN");
    SecretStores.open("file://" + dir.resolve("secrets.json"), dir)
        .write(
            "db/shop/admin",
            Map.of("username", "postgres", "password", PASSWORD),
            OptionalInt.of(0));
    Path config =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  shop:\n"
                + "    primary: { host: 127.0.0.1, port: "
                + pg.primary().port()
                + ", database: shop, sslmode: disable }\n"
                + "    replicas: [ { name: replica0, host: 127.0.0.1, port: "
                + pg.replica(0).port()
                + " } ]\n"
                + "    admin: { secret: db/shop/admin }\n"
                + "    migrations: "
                + Path.of("../runbooks/examples/migrations/orders").toAbsolutePath()
                + "\n    production: false\n"
                + "secrets: file://secrets.json\n"
                + "repository: file://"
                + dir.resolve("backups")
                + "\nencryption: local-keyset:"
                + dir.resolve("keyset.json")
                + "\n");
    local = EmbeddedRunbooks.start(0, ConfigLoader.load(config, Map.of()), "runbooks");
    cli =
        new Cli(Cli.isolatedEnv())
            .with("TEMPORAL_ADDRESS", local.temporal().address())
            .with("RUNBOOKS_CONFIG", config.toString());
  }

  @AfterAll
  static void stop() {
    gated.close();
    local.close();
  }

  @Test
  void everyCommandPrintsADocumentOfItsSchemaOrRefusesJson() throws Exception {
    List<String> names = commandNames();
    Set<String> neither = new TreeSet<>();
    for (String name : names) {
      if (!GROUPS.contains(name) && !REFUSED.containsKey(name) && !Schemas.exists(name)) {
        neither.add(name);
      }
    }
    assertEquals(Set.of(), neither, "commands with neither a schema nor a refusal of JSON");

    for (List<String> args : REFUSED.values()) {
      List<String> json = new ArrayList<>(args);
      json.addAll(List.of("-o", "json"));
      Cli.Result r = cli.run(json.toArray(String[]::new));
      assertEquals(ExitCodes.USAGE, r.code(), String.join(" ", json) + "\n" + r);
    }

    approvalCommands();
    runbooksOnARealPrimary();
    scheduleCommands();

    Set<String> forgotten = new TreeSet<>();
    for (String name : names) {
      if (!GROUPS.contains(name) && !REFUSED.containsKey(name) && !exercised.containsKey(name)) {
        forgotten.add(name);
      }
    }
    assertEquals(
        Set.of(), forgotten, "commands this test never ran with -o json; ran: " + exercised);
    for (String name : exercised.keySet()) {
      assertTrue(names.contains(name), "exercised " + name + ", which is not a command");
    }
  }

  /** The visible commands, as {@code "schedule pause"}: the parents' names and the command's. */
  private static List<String> commandNames() {
    PrintWriter none = new PrintWriter(new StringWriter());
    CommandLine root =
        new Main(none, none, Cli.isolatedEnv())
            .commandLine(new RunbookCommand(Cli.isolatedEnv(), false));
    List<String> names = new ArrayList<>();
    collect(root, "", names);
    return names;
  }

  private static void collect(CommandLine command, String prefix, List<String> names) {
    for (CommandLine sub : command.getSubcommands().values()) {
      if (sub.getCommandSpec().usageMessage().hidden()) {
        continue;
      }
      String name = prefix + sub.getCommandName();
      if (!names.contains(name)) {
        names.add(name);
        collect(sub, name + " ", names);
      }
    }
  }

  /**
   * Runs {@code args} and {@code -o json} with {@code on}, expects {@code code} and a document
   * valid against the schema of {@code command} (the args' leading words), and returns it.
   */
  private JsonNode json(Cli on, int code, String command, String... args) throws Exception {
    List<String> line = new ArrayList<>(List.of(command.split(" ")));
    line.addAll(List.of(args));
    line.addAll(List.of("-o", "json"));
    Cli.Result r = on.run(line.toArray(String[]::new));
    assertEquals(code, r.code(), String.join(" ", line) + "\n" + r);
    Schemas.assertValid(command, r);
    exercised.merge(command, String.join(" ", line) + " (exit " + code + ")", (a, b) -> a);
    return JSON.readTree(r.out());
  }

  private void approvalCommands() throws Exception {
    Cli on = gated.cli();
    String approved = gated.start("json-approve", "alice", false, null);
    awaitGate(approved);
    json(on, 0, "list");
    json(on, 0, "approve", approved, "--comment", "fine");

    String aborted = gated.start("json-abort", "alice", false, null);
    awaitGate(aborted);
    JsonNode abort =
        json(on, ExitCodes.ROLLED_BACK_OR_ABORTED, "abort", aborted, "--wait", "--reason", "test");
    assertEquals("ABORTED", abort.path("outcome").asText(), abort.toString());
    json(on, ExitCodes.ROLLED_BACK_OR_ABORTED, "status", aborted);
    boolean closed = false;
    for (JsonNode row : json(on, 0, "list")) {
      if (row.path("workflowId").asText().equals(aborted)) {
        closed = row.path("closed").isTextual();
      }
    }
    assertTrue(closed, "a finished run has closed");
    json(on, 0, "audit", "--since", "1h");
  }

  private JsonNode awaitGate(String id) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      Cli.Result r = gated.cli().run("status", id, "-o", "json");
      if (r.code() == 0
          && "approval".equals(JSON.readTree(r.out()).path("awaitingApproval").asText())) {
        return json(gated.cli(), 0, "status", id);
      }
      Thread.sleep(200);
    }
    throw new AssertionError("run " + id + " never reached its gate");
  }

  private void runbooksOnARealPrimary() throws Exception {
    JsonNode started = json(cli, 0, "check", "--target", "shop");
    assertFalse(started.path("workflowId").asText().isEmpty(), started.toString());
    json(cli, 0, "check", "--target", "shop", "--wait");

    JsonNode backup = json(cli, 0, "backup", "--target", "shop", "--wait", "--no-verify");
    String id = backup.path("backup").path("backupId").asText();
    assertFalse(id.isEmpty(), backup.toString());
    json(cli, 0, "backups", "--target", "shop");
    json(cli, 0, "restore-drill", "--target", "shop", "--backup", id, "--wait");
    json(cli, 0, "restore", "--target", "shop", "--backup", id, "--into", "shop_copy", "--wait");
    Path dump = dir.resolve("decrypted/shop.dump");
    Files.createDirectories(dump.getParent());
    json(cli, 0, "decrypt", "--target", "shop", "--backup", id, "--out", dump.toString());
    assertTrue(Files.size(dump) > 0, "decrypt wrote nothing to " + dump);
    json(cli, 0, "keys status");
    json(cli, 0, "keys export", "--to", dir.resolve("keyset-copy.json").toString());

    json(cli, 0, "migrate", "--target", "shop", "--auto-approve", "--wait");
    json(cli, 0, "rotate", "--target", "shop", "--role", "shop_app", "--grace", "1s", "--wait");

    json(cli, 0, "archive start", "--target", "shop");
    json(cli, 0, "archive status", "--target", "shop");
    json(cli, 0, "archive stop", "--target", "shop");

    JsonNode failover =
        json(cli, 0, "failover", "--target", "shop", "--to", "replica0", "--planned", "--wait");
    assertEquals("SUCCEEDED", failover.path("outcome").asText(), failover.toString());
  }

  private void scheduleCommands() throws Exception {
    json(
        cli,
        0,
        "schedule create",
        "json-nightly",
        "--runbook",
        "backup",
        "--target",
        "shop",
        "--cron",
        "0 2 * * *");
    json(cli, 0, "schedule list");
    json(cli, 0, "schedule pause", "json-nightly", "--note", "INC-1");
    json(cli, 0, "schedule unpause", "json-nightly");
    json(cli, 0, "schedule delete", "json-nightly");
  }

  @Test
  void theSchemasCatchADocumentOfAnotherShape() {
    Cli.Result wrong = new Cli.Result(0, "[{\"workflowId\": \"x\", \"closed\": 5}]", "");
    AssertionError caught = null;
    try {
      Schemas.assertValid("list", wrong);
    } catch (AssertionError e) {
      caught = e;
    }
    assertTrue(caught != null, "a list row without its fields passed the schema");
  }
}
