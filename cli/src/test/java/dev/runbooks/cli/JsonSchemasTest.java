package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command prints a document described by its JSON Schema with {@code -o json}, or refuses
 * JSON with exit 2; none ignores it. The runbooks' finished documents are validated where their
 * end-to-end tests run them (Check, Backup, Migrate, Rotate, Failover, Decrypt).
 */
class JsonSchemasTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Commands that print no document: {@code -o json} is exit 2 (or not an option at all). */
  private static final Set<String> REFUSED =
      Set.of("watch", "demo", "dev", "worker", "completion", "codec-server");

  /** Only their parent's help: no document of their own. */
  private static final Set<String> GROUPS = Set.of("schedule", "archive", "keys");

  @TempDir static Path dir;

  private static GatedRuns gated;
  private static FakeBackupRuns backups;

  @BeforeAll
  static void start() {
    gated = new GatedRuns();
    backups = new FakeBackupRuns(dir);
  }

  @AfterAll
  static void stop() {
    gated.close();
    backups.close();
  }

  @Test
  void everyCommandHasASchemaOrRefusesJson() {
    PrintWriter none = new PrintWriter(new StringWriter());
    CommandLine root =
        new Main(none, none, Cli.isolatedEnv())
            .commandLine(new RunbookCommand(Cli.isolatedEnv(), false));
    Set<String> missing = new TreeSet<>();
    List<String> names = new ArrayList<>();
    collect(root, "", names);
    for (String name : names) {
      if (!REFUSED.contains(name) && !GROUPS.contains(name) && !Schemas.exists(name)) {
        missing.add(name);
      }
    }
    assertEquals(Set.of(), missing, "commands with neither a schema nor a refusal of JSON");
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

  @Test
  void commandsWithoutADocumentRefuseJson() {
    Cli cli = new Cli(Cli.isolatedEnv());
    for (String[] args :
        List.of(
            new String[] {"watch", "some-run", "-o", "json"},
            new String[] {"demo", "-o", "json"},
            new String[] {"dev", "-o", "json"},
            new String[] {"worker", "-o", "json"},
            new String[] {"completion", "bash", "-o", "json"})) {
      Cli.Result r = cli.run(args);
      assertEquals(ExitCodes.USAGE, r.code(), String.join(" ", args) + "\n" + r);
    }
  }

  private static JsonNode awaitGate(String id) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      Cli.Result r = gated.cli().run("status", id, "-o", "json");
      if (r.code() == 0
          && "approval".equals(JSON.readTree(r.out()).path("awaitingApproval").asText())) {
        Schemas.assertValid("status", r);
        return JSON.readTree(r.out());
      }
      Thread.sleep(200);
    }
    throw new AssertionError("run " + id + " never reached its gate");
  }

  @Test
  void runCommandsPrintTheirDocuments() throws Exception {
    Cli cli = gated.cli();
    String approved = gated.start("json-approve", "alice", false, null);
    awaitGate(approved);
    Schemas.assertValid("list", cli.run("list", "-o", "json"));
    Cli.Result approve = cli.run("approve", approved, "-o", "json", "--comment", "fine");
    assertEquals(0, approve.code(), approve.toString());
    Schemas.assertValid("approve", approve);

    String aborted = gated.start("json-abort", "alice", false, null);
    awaitGate(aborted);
    Cli.Result abort = cli.run("abort", aborted, "-o", "json", "--wait", "--reason", "test");
    assertEquals(ExitCodes.ROLLED_BACK_OR_ABORTED, abort.code(), abort.toString());
    Schemas.assertValid("abort", abort);
    assertEquals("ABORTED", JSON.readTree(abort.out()).path("outcome").asText(), abort.toString());

    Cli.Result status = cli.run("status", aborted, "-o", "json");
    Schemas.assertValid("status", status);
    Cli.Result list = cli.run("list", "-o", "json");
    Schemas.assertValid("list", list);
    boolean closed = false;
    for (JsonNode row : JSON.readTree(list.out())) {
      if (row.path("workflowId").asText().equals(aborted)) {
        closed = row.path("closed").isTextual();
      }
    }
    assertTrue(closed, "a finished run has closed:\n" + list);
  }

  @Test
  void scheduleCommandsPrintTheirDocuments() {
    Cli cli = backups.cli();
    Cli.Result created =
        cli.run(
            "schedule",
            "create",
            "json-nightly",
            "--runbook",
            "backup",
            "--target",
            "orders",
            "--cron",
            "0 2 * * *",
            "-o",
            "json");
    assertEquals(0, created.code(), created.toString());
    Schemas.assertValid("schedule create", created);
    Schemas.assertValid("schedule list", cli.run("schedule", "list", "-o", "json"));
    Cli.Result paused = cli.run("schedule", "pause", "json-nightly", "-o", "json");
    assertEquals(0, paused.code(), paused.toString());
    Schemas.assertValid("schedule pause", paused);
    Cli.Result unpaused = cli.run("schedule", "unpause", "json-nightly", "-o", "json");
    assertEquals(0, unpaused.code(), unpaused.toString());
    Schemas.assertValid("schedule unpause", unpaused);
    Cli.Result deleted = cli.run("schedule", "delete", "json-nightly", "-o", "json");
    assertEquals(0, deleted.code(), deleted.toString());
    Schemas.assertValid("schedule delete", deleted);
  }

  @Test
  void backupCommandsPrintTheirDocuments() {
    Cli cli = backups.cli();
    Cli.Result catalog = cli.run("backups", "--target", "orders", "-o", "json");
    assertEquals(0, catalog.code(), catalog.toString());
    Schemas.assertValid("backups", catalog);
    Cli.Result backup = cli.run("backup", "--target", "orders", "--wait", "-o", "json");
    Schemas.assertValid("backup", backup);
    Cli.Result drill = cli.run("restore-drill", "--target", "baddrill", "--wait", "-o", "json");
    assertEquals(ExitCodes.RUNBOOK_FAILED, drill.code(), drill.toString());
    Schemas.assertValid("restore-drill", drill);
    Cli.Result restore =
        cli.run(
            "restore",
            "--target",
            "orders",
            "--backup",
            "20260124T020000Z-0004",
            "--into",
            "orders_json",
            "--wait",
            "-o",
            "json");
    assertEquals(0, restore.code(), restore.toString());
    Schemas.assertValid("restore", restore);
  }

  @Test
  void keysStatusPrintsItsDocument() {
    Cli.Result keys = backups.cli().run("keys", "status", "-o", "json");
    assertTrue(keys.code() == 0 || keys.code() == 1, keys.toString());
    Schemas.assertValid("keys status", keys);
  }

  @Test
  void aRunStartedWithoutWaitingPrintsItsId() {
    Cli.Result started = backups.cli().run("backup", "--target", "orders", "-o", "json");
    assertEquals(0, started.code(), started.toString());
    Schemas.assertValid("backup", started);
  }
}
