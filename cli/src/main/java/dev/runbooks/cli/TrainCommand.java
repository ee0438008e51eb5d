package dev.runbooks.cli;

import dev.runbooks.worker.EmbeddedTemporal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * The training run of the class-data archive the {@code ./runbook} launcher builds beside the jar
 * ({@code -XX:ArchiveClassesAtExit}): it loads what {@code --help}, {@code --version} and a client
 * command against Temporal load, so those start from mapped, pre-parsed classes afterwards.
 */
@Command(name = "train-class-data", hidden = true)
final class TrainCommand implements Callable<Integer> {
  @ParentCommand RunbookCommand root;

  @Override
  public Integer call() {
    PrintWriter none = new PrintWriter(new StringWriter());
    Map<String, String> env = new HashMap<>(root.env());
    Main main = new Main(none, none, env);
    main.run("--help");
    main.run("--version");
    main.run("list", "--help");
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      main.run("list", "--temporal", temporal.address());
      main.run("status", "no-such-run", "--temporal", temporal.address());
    }
    return ExitCodes.DONE;
  }
}
