package dev.runbooks.cli;

import picocli.CommandLine.Option;

/** {@code -o/--output}: readable text, or one JSON document on stdout for scripts. */
final class OutputOption {
  @Option(
      names = {"-o", "--output"},
      paramLabel = "text|json",
      defaultValue = "text",
      description = "text (default) or json: one document on stdout, described by its schema.")
  Output output;

  boolean json() {
    return output == Output.JSON;
  }

  /**
   * Refuses {@code --output json} for a command that prints no document, rather than ignoring it.
   *
   * @param instead what gives the JSON wanted
   * @throws UsageException when JSON was asked for (exit 2)
   */
  void textOnly(String command, String instead) {
    if (json()) {
      throw new UsageException(
          command + " prints text only, so --output json does not apply: " + instead + ".");
    }
  }
}
