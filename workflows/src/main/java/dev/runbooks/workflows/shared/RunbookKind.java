package dev.runbooks.workflows.shared;

/** The runbooks Runbooks automates. A mutating runbook holds its target's lock while it runs. */
public enum RunbookKind {
  CHECK("check", false),
  BACKUP("backup", false),
  RESTORE_DRILL("restore-drill", false),
  RESTORE("restore", false),
  MIGRATE("migrate", true),
  ROTATE("rotate", true),
  FAILOVER("failover", true);

  private final String label;
  private final boolean mutating;

  RunbookKind(String label, boolean mutating) {
    this.label = label;
    this.mutating = mutating;
  }

  /** The name used in workflow IDs, search attributes and the CLI. */
  public String label() {
    return label;
  }

  public boolean mutating() {
    return mutating;
  }
}
