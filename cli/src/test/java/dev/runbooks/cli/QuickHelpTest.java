package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --help} and {@code --version} from the subcommands' annotations alone. */
class QuickHelpTest {
  private static final Map<String, String> ENV = Cli.isolatedEnv();

  @Test
  void theRootsHelpAndVersionPrintWhatTheWholeTreePrints() {
    for (String arg : new String[] {"--help", "-h", "--version", "-V"}) {
      assertTrue(QuickHelp.applies(arg), arg);
      Cli.Result quick = new Cli(ENV).run(arg);
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      PrintWriter o = new PrintWriter(out);
      PrintWriter e = new PrintWriter(err);
      int code = new Main(o, e, ENV).commandLine(new RunbookCommand(ENV, false)).execute(arg);
      o.flush();
      e.flush();
      assertEquals(
          new Cli.Result(code, out.toString(), err.toString()).toString(), quick.toString());
    }
    assertTrue(new Cli(ENV).run("--help").out().contains("schedule"), "the commands are listed");
  }

  @Test
  void buildsNoModelOfAnySubcommandAndOnlyForTheRootAlone() {
    CommandLine quick = QuickHelp.commandLine(new RunbookCommand(ENV, false));
    CommandLine backup = quick.getSubcommands().get("backup");
    assertNotNull(backup, quick.getSubcommands().keySet().toString());
    assertNull(backup.getCommandSpec().findOption("--target"), "backup's options were reflected");
    assertTrue(quick.getSubcommands().get("schedule").getSubcommands().isEmpty());
    assertFalse(QuickHelp.applies("backup", "--help"));
    assertFalse(QuickHelp.applies("--verbose", "--help"));
    assertFalse(QuickHelp.applies());
  }
}
