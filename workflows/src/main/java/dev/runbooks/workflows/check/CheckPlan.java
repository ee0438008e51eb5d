package dev.runbooks.workflows.check;

import dev.runbooks.workflows.shared.Texts;
import java.util.List;

/**
 * What a check run shows in the Temporal UI before it starts: its summary and the checks it runs,
 * in the order of {@link CheckWorkflowImpl#stepNames()}.
 */
public final class CheckPlan {
  /** {@code check orders @ db1:5432/orders}. */
  public static String summary(CheckRequest request, String primary) {
    return "check " + request.runbook().target() + " @ " + primary;
  }

  /**
   * The plan in Markdown.
   *
   * @param primary the target's primary, as messages show it
   * @param replicas the names of the target's configured replicas
   */
  public static String markdown(CheckRequest request, String primary, List<String> replicas) {
    StringBuilder md = new StringBuilder();
    md.append("**Health check** of `")
        .append(request.runbook().target())
        .append("` (")
        .append(primary)
        .append("), started by ")
        .append(request.runbook().initiator())
        .append(". Read-only.\n\nChecks, in order:\n");
    List<String> steps = CheckWorkflowImpl.stepNames();
    for (int i = 0; i < steps.size(); i++) {
      md.append(i + 1).append(". ").append(steps.get(i)).append('\n');
    }
    return md.append("\nReplicas: ")
        .append(replicas.isEmpty() ? "none configured" : String.join(", ", replicas))
        .append(". Long transactions: open longer than ")
        .append(Texts.duration(request.longTransaction()))
        .append(".\n")
        .toString();
  }

  private CheckPlan() {}
}
