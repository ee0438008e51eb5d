package dev.runbooks.cli;

import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.worker.EmbeddedTemporal;
import dev.runbooks.worker.Pollers;
import dev.runbooks.worker.RunbookWorker;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = {
      "Runs Temporal in memory on 127.0.0.1 and a worker for the configured targets, in the"
          + " foreground, until Ctrl-C.",
      "Runs live in memory only: they are gone when it stops. Other runbook commands in another"
          + " terminal reach it on the default address."
    },
    footerHeading = "%nExample:%n",
    footer = "  runbook dev --config runbooks.yaml")
final class DevCommand implements Callable<Integer>, Logs.Foreground {
  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;
  @Mixin ConnectionOptions connection;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "" + EmbeddedTemporal.DEFAULT_PORT,
      description = "The port to serve Temporal on (default: ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() throws Exception {
    connection.textOnly("dev", "'runbook list -o json' against it prints the runs as JSON");
    if (connection.temporal != null) {
      throw new UsageException(
          "dev serves its own Temporal, so --temporal does not apply: use --port to move it, or"
              + " 'runbook worker --temporal "
              + connection.temporal
              + "' to serve an existing one.");
    }
    if (port < 0 || port > 65535) {
      throw new UsageException("--port must be between 0 and 65535, was " + port + ".");
    }
    RunbooksConfig config = connection.loadConfig(root.env());
    String queue = connection.taskQueue();
    OtherWorkers others = new OtherWorkers(spec.commandLine().getErr());
    EmbeddedRunbooks local =
        EmbeddedRunbooks.start(
            port, ConfigSource.reloading(config, root.env()), queue, new Pollers(others));
    others.own(local.connection().client().getOptions().getIdentity());
    PrintWriter out = spec.commandLine().getOut();
    String address = local.temporal().address();
    out.println("Temporal (in memory) on " + address + ", namespace " + EmbeddedTemporal.NAMESPACE);
    out.println(
        "A single-process service: runs live in memory, and a run whose workflow task a worker"
            + " holds is never handed to another worker if that one dies. Serve it with this"
            + " worker only; a warning shows when another polls it.");
    out.println(
        "Worker on task queue "
            + queue
            + " for targets: "
            + String.join(", ", config.targets().keySet())
            + " ("
            + config.file()
            + "; edits are picked up by the next run, no restart needed)");
    out.println();
    out.println("Next, in another terminal:");
    String flags =
        (local.temporal().port() == EmbeddedTemporal.DEFAULT_PORT ? "" : " --temporal " + address)
            + (queue.equals(RunbookWorker.DEFAULT_TASK_QUEUE) ? "" : " --task-queue " + queue);
    String first = config.targets().keySet().iterator().next();
    out.println("  runbook check --target " + first + " --wait" + flags + configFlag());
    out.println("  runbook list" + flags);
    out.println();
    out.println("Ctrl-C stops Temporal and the worker.");
    out.flush();
    Foreground.runUntilStopped(local);
    return ExitCodes.DONE;
  }

  private String configFlag() {
    return connection.config() == null ? "" : " --config " + connection.config();
  }
}
