package dev.runbooks.cli;

import picocli.CommandLine.Option;

/** {@code --id}: the workflow ID a command starts its run under, instead of a generated one. */
final class RunIdOption {
  @Option(
      names = "--id",
      paramLabel = "ID",
      description =
          "The run's workflow ID. Default: ${COMMAND-NAME}-<target>-<UTC yyyyMMdd'T'HHmmss>.")
  String workflowId;

  /**
   * The ID given, or null for a generated one.
   *
   * @throws UsageException when the ID given is empty
   */
  String value() {
    if (workflowId != null && workflowId.isBlank()) {
      throw new UsageException("--id is empty: give a workflow ID, or leave it out.");
    }
    return workflowId;
  }
}
