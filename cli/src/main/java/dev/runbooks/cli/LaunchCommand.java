package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A command that starts a runbook on one target. Each such command takes the same options (the
 * connection, {@code --wait}/{@code --embedded}, {@code --target}, {@code --id}) and, once it has
 * prepared its run, launches it the same way; a subclass adds only its own options and the run.
 */
abstract class LaunchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;
  @Mixin ConnectionOptions connection;
  @Mixin RunOptions run;
  @Mixin TargetOption target;
  @Mixin RunIdOption runId;

  /** The configuration the connection options name. */
  final RunbooksConfig loadConfig() {
    return connection.loadConfig(root.env());
  }

  /** Who starts the run, for its history. */
  final String user() {
    return Identity.user(root.env());
  }

  /**
   * Starts {@code launch} as {@code --wait}/{@code --embedded} say and reports it with {@code
   * report}.
   *
   * @return the exit code
   */
  final <R> int launch(
      RunbooksConfig config,
      RunbookStarter.Launch launch,
      Class<R> resultType,
      Launcher.Report<R> report)
      throws InterruptedException {
    return launcher().run(config, run, launch, resultType, report);
  }

  /** How this command starts and reports a run, on its own output. */
  final Launcher launcher() {
    return new Launcher(root, connection, spec.commandLine().getOut(), spec.commandLine().getErr());
  }
}
