package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command line's conventions: short options, completion, help that lists only what a command
 * uses and fits 80 columns, every environment variable documented, and JSON never silently ignored.
 */
class ConventionsTest {
  private final Cli cli = new Cli(Cli.isolatedEnv());

  /** Every command's qualified name, from the command tree itself. */
  private static List<List<String>> commands() {
    List<List<String>> all = new ArrayList<>();
    PrintWriter none = new PrintWriter(new StringWriter());
    Main main = new Main(none, none, Cli.isolatedEnv());
    collect(main.commandLine(new RunbookCommand(Cli.isolatedEnv(), false)), new ArrayList<>(), all);
    return all;
  }

  /** Every command line object, by its qualified name. */
  private static Map<List<String>, CommandLine> commandLines() {
    Map<List<String>, CommandLine> all = new LinkedHashMap<>();
    PrintWriter none = new PrintWriter(new StringWriter());
    CommandLine root =
        new Main(none, none, Cli.isolatedEnv())
            .commandLine(new RunbookCommand(Cli.isolatedEnv(), false));
    all.put(List.of(), root);
    for (List<String> name : commands()) {
      CommandLine command = root;
      for (String part : name) {
        command = command.getSubcommands().get(part);
      }
      all.put(name, command);
    }
    return all;
  }

  private static void collect(CommandLine command, List<String> path, List<List<String>> all) {
    for (CommandLine sub : command.getSubcommands().values()) {
      if (sub.getCommandSpec().usageMessage().hidden()) {
        continue;
      }
      List<String> name = new ArrayList<>(path);
      name.add(sub.getCommandName());
      if (!all.contains(name)) {
        all.add(name);
        collect(sub, name, all);
      }
    }
  }

  private static String[] args(List<String> command, String... more) {
    List<String> args = new ArrayList<>(command);
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void shortFormsOfOutputAndNamespace() throws IOException {
    Cli.Result output = cli.run("list", "-o", "yaml");
    assertEquals(ExitCodes.USAGE, output.code(), output.toString());
    assertTrue(output.err().contains("yaml"), output.toString());

    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    Cli.Result namespace = cli.run("list", "-n", "payments", "--temporal", "127.0.0.1:" + closed);
    assertEquals(ExitCodes.TEMPORAL_UNREACHABLE, namespace.code(), namespace.toString());
    assertTrue(namespace.err().contains("namespace payments"), namespace.toString());
  }

  @Test
  void completionScriptsForBashAndZsh() {
    for (String shell : List.of("bash", "zsh")) {
      Cli.Result script = cli.run("completion", shell);
      assertEquals(0, script.code(), script.toString());
      assertTrue(script.out().contains("complete -F"), script.toString());
      assertTrue(script.out().contains("schedule"), "subcommands complete too");
    }
    Cli.Result fish = cli.run("completion", "fish");
    assertEquals(ExitCodes.USAGE, fish.code(), fish.toString());
    assertTrue(fish.err().contains("bash"), fish.toString());
  }

  @Test
  void decryptsHelpListsNoTemporalOptions() {
    Cli.Result help = cli.run("decrypt", "--help");
    assertEquals(0, help.code(), help.toString());
    for (String unused : List.of("--temporal", "--namespace", "--task-queue", "--tls-cert")) {
      assertFalse(help.out().contains(unused), unused + " in:\n" + help.out());
    }
    assertTrue(help.out().contains("--config"), help.out());
  }

  @Test
  void everyHelpFitsEightyColumnsAndEveryEnvironmentVariableIsDocumented() {
    for (List<String> command : commands()) {
      Cli.Result help = cli.run(args(command, "--help"));
      assertEquals(0, help.code(), command + "\n" + help);
      for (String line : help.out().lines().toList()) {
        assertTrue(line.length() <= 80, command + ": a line wider than 80 columns:\n" + line);
      }
    }
    List<String> wide = new ArrayList<>();
    commandLines()
        .forEach(
            (name, command) -> {
              for (String footer : command.getCommandSpec().usageMessage().footer()) {
                for (String line : String.format(footer).split("\n", -1)) {
                  if (line.length() > 80) {
                    wide.add(name + ": " + line);
                  }
                }
              }
            });
    assertEquals(List.of(), wide, "examples wider than 80 columns wrap mid-token");
    Cli.Result root = cli.run("--help");
    for (String variable :
        List.of(
            "RUNBOOKS_CONFIG",
            "RUNBOOK_USER",
            "TEMPORAL_ADDRESS",
            "TEMPORAL_NAMESPACE",
            "TEMPORAL_CONNECT_TIMEOUT",
            "RUNBOOKS_LOG_LEVEL",
            "RUNBOOKS_LOG_FILE",
            "NO_COLOR",
            "RUNBOOK_JAVA_OPTS")) {
      assertTrue(root.out().contains(variable), variable + " missing from:\n" + root.out());
    }
  }

  @Test
  void commandsWithoutADocumentRefuseJsonBeforeDoingAnything() {
    for (String[] command :
        List.of(
            new String[] {"watch", "check-orders-20250101T000000"},
            new String[] {"demo"},
            new String[] {"dev"},
            new String[] {"worker"})) {
      Cli.Result json = cli.run(args(List.of(command), "-o", "json"));
      assertEquals(ExitCodes.USAGE, json.code(), json.toString());
      assertTrue(json.err().contains("--output json does not apply"), json.toString());
    }
  }
}
