package dev.runbooks.workflows.check;

public enum Severity {
  OK,
  WARN,
  CRITICAL
}
