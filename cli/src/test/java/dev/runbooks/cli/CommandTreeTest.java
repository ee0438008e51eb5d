package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Each command line gets the models it needs only, and prints what the whole tree would. */
class CommandTreeTest {
  private static final Map<String, String> ENV = Cli.isolatedEnv();

  @Test
  void printsWhatTheWholeTreePrints() {
    for (List<String> args :
        List.of(
            List.of("--help"),
            List.of("-h"),
            List.of("--version"),
            List.of("-V"),
            List.<String>of(),
            List.of("backup", "--help"),
            List.of("backup", "--bogus"),
            List.of("schedule"),
            List.of("schedule", "pause", "--help"),
            List.of("list", "--output", "yaml"),
            List.of("nosuch"),
            List.of("--no-color", "status", "--help"))) {
      String[] line = args.toArray(String[]::new);
      Cli.Result trimmed = new Cli(ENV).run(line);
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      PrintWriter o = new PrintWriter(out);
      PrintWriter e = new PrintWriter(err);
      int code = new Main(o, e, ENV).commandLine(new RunbookCommand(ENV, false)).execute(line);
      o.flush();
      e.flush();
      assertEquals(
          new Cli.Result(code, out.toString(), err.toString()).toString(),
          trimmed.toString(),
          String.join(" ", args));
    }
    assertTrue(new Cli(ENV).run("--help").out().contains("schedule"), "the commands are listed");
  }

  @Test
  void buildsTheModelOfTheNamedCommandOnly() {
    CommandLine help = CommandTree.forArgs(new RunbookCommand(ENV, false), "--help");
    assertNull(option(help, "backup", "--target"), "--help reflected backup's options");
    assertTrue(help.getSubcommands().get("schedule").getSubcommands().isEmpty());

    CommandLine list = CommandTree.forArgs(new RunbookCommand(ENV, false), "list", "-o", "json");
    assertNotNull(option(list, "list", "--temporal"), "list has its own options");
    assertNull(option(list, "backup", "--target"), "list reflected backup's options");

    for (String[] whole :
        new String[][] {{"completion", "bash"}, {"nosuch"}, {"--verbose", "list"}, {}}) {
      CommandLine tree = CommandTree.forArgs(new RunbookCommand(ENV, false), whole);
      assertNotNull(option(tree, "backup", "--target"), String.join(" ", whole));
    }
  }

  private static CommandLine.Model.OptionSpec option(
      CommandLine root, String command, String option) {
    CommandLine sub = root.getSubcommands().get(command);
    assertNotNull(sub, command + " in " + root.getSubcommands().keySet());
    return sub.getCommandSpec().findOption(option);
  }
}
