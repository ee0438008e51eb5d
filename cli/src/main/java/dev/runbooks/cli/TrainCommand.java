package dev.runbooks.cli;

import dev.runbooks.worker.EmbeddedTemporal;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * The training run of the class-data archive the {@code ./runbook} launcher builds beside the jar
 * (a class list for {@code -Xshare:dump}): it loads what {@code --help}, {@code --version} and a
 * client command against Temporal load, so those start from mapped, pre-parsed classes afterwards.
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
    // Every command's model: a command line builds only its own (CommandTree), so each is trained.
    main.commandLine(new RunbookCommand(env, false));
    Path config = null;
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      config = Files.createTempFile("runbook-train", ".yaml");
      Files.writeString(
          config,
          "targets:\n  train: { primary: { host: 127.0.0.1, port: 1, database: train },"
              + " admin: { user: postgres } }\n");
      main.run("list", "--temporal", temporal.address());
      main.run("list", "--temporal", temporal.address(), "--config", config.toString());
      main.run("status", "no-such-run", "--temporal", temporal.address());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (config != null) {
        config.toFile().delete();
      }
    }
    return ExitCodes.DONE;
  }
}
