package dev.runbooks.cli;

/** The exit codes DESIGN.md promises; scripts depend on them. */
final class ExitCodes {
  static final int DONE = 0;
  static final int RUNBOOK_FAILED = 1;
  static final int USAGE = 2;
  static final int ROLLED_BACK_OR_ABORTED = 3;
  static final int TEMPORAL_UNREACHABLE = 4;

  private ExitCodes() {}
}
