package dev.runbooks.cli;

import picocli.CommandLine.Option;

/** {@code --target}: the one target a command works on, by its name in the configuration. */
final class TargetOption {
  @Option(
      names = "--target",
      required = true,
      paramLabel = "T",
      description = "The target's name in the configuration.")
  String name;

  String name() {
    return name;
  }
}
