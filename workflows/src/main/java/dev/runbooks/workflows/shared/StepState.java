package dev.runbooks.workflows.shared;

public enum StepState {
  PENDING,
  RUNNING,
  DONE,
  FAILED,
  SKIPPED,
  COMPENSATED
}
