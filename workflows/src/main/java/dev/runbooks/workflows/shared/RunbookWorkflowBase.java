package dev.runbooks.workflows.shared;

/**
 * The query and update handlers every runbook shares, answered from its {@link Runbook}. A workflow
 * implementation extends this, implements its own interface, and sets {@link #runbook} first thing
 * in its workflow method.
 */
public abstract class RunbookWorkflowBase implements RunbookWorkflow {
  private final RunbookKind kind;
  protected Runbook runbook;

  protected RunbookWorkflowBase(RunbookKind kind) {
    this.kind = kind;
  }

  @Override
  public RunbookProgress progress() {
    return Runbook.progressOf(runbook, kind);
  }

  @Override
  public void approve(Approval approval) {
    runbook.approve(approval);
  }

  @Override
  public void validateApprove(Approval approval) {
    Runbook.validateApproveOf(runbook, approval);
  }
}
