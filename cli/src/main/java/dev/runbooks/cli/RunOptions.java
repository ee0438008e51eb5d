package dev.runbooks.cli;

import picocli.CommandLine.Option;

/** How a command that starts a run behaves once it has started it. */
final class RunOptions {
  @Option(
      names = "--wait",
      description = "Follow the run until it ends, print its result, exit with its exit code.")
  boolean wait;

  @Option(
      names = "--embedded",
      description =
          "Run everything in this process: Temporal in memory and a worker, for this run only."
              + " Implies --wait.")
  boolean embedded;

  boolean follow() {
    return wait || embedded;
  }
}
