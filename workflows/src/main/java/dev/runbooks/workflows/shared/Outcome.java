package dev.runbooks.workflows.shared;

/** How a run ended, and the CLI exit code each outcome maps to (DESIGN.md). */
public enum Outcome {
  RUNNING(-1),
  SUCCEEDED(0),
  FAILED(1),
  ROLLED_BACK(3),
  ABORTED(3);

  private final int exitCode;

  Outcome(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  public boolean finished() {
    return this != RUNNING;
  }
}
