package dev.runbooks.workflows.migration;

import dev.runbooks.workflows.shared.ScratchNames;
import dev.runbooks.workflows.shared.Texts;
import dev.runbooks.workflows.shared.Undone;
import java.util.List;

/** How a migration's plan and timings read in step details and the approval text. */
final class Plans {
  private Plans() {}

  /** The rehearsal's scratch database: named after the run, unique to it, within 63 bytes. */
  static String scratchDatabase(String workflowId) {
    return ScratchNames.database("rehearse_", workflowId);
  }

  static String summary(MigrationPlan plan) {
    String at =
        plan.currentVersion() == null ? "no version applied" : "at V" + plan.currentVersion();
    if (plan.pending().isEmpty()) {
      return at + ", nothing pending";
    }
    StringBuilder s = new StringBuilder(at).append("; pending: ");
    for (int i = 0; i < plan.pending().size(); i++) {
      PendingMigration m = plan.pending().get(i);
      s.append(i == 0 ? "" : ", ").append('V').append(m.version());
      if (m.irreversible()) {
        s.append(" (irreversible)");
      }
    }
    s.append("; ")
        .append(plan.warnings().size())
        .append(plan.warnings().size() == 1 ? " lint warning" : " lint warnings");
    if (!plan.warnings().isEmpty()) {
      s.append(": ").append(String.join("; ", plan.warnings()));
    }
    List<LintFinding> suppressed =
        plan.lint().stream().filter(f -> f.suppressed() != null).toList();
    if (!suppressed.isEmpty()) {
      // The approver sees what the authors chose to accept, and why.
      s.append("; ").append(suppressed.size()).append(" suppressed by runbooks:lint ignore: ");
      for (int i = 0; i < suppressed.size(); i++) {
        LintFinding f = suppressed.get(i);
        s.append(i == 0 ? "" : "; ")
            .append(f.script())
            .append(':')
            .append(f.line())
            .append(' ')
            .append(f.rule())
            .append(" (")
            .append(f.suppressed())
            .append(')');
      }
    }
    return s.toString();
  }

  static String rehearsalSummary(RehearsalResult r) {
    StringBuilder s = new StringBuilder("on a copy from ").append(r.source());
    if (!r.caughtUp().isEmpty()) {
      s.append(" (caught up with ").append(String.join(", ", r.caughtUp())).append(")");
    }
    s.append(": up ").append(timings(r.up()));
    if (r.rollbackProven()) {
      s.append("; down ")
          .append(timings(r.down()))
          .append("; schema back to the original (rollback proven); up again ")
          .append(timings(r.reUp()));
    } else {
      s.append("; rollback NOT proven: an irreversible migration is pending, a rollback means")
          .append(" restoring the pre-migration backup");
    }
    s.append("; took ").append(Texts.duration(r.duration()));
    for (String note : r.notes()) {
      s.append("; NOTE: ").append(note);
    }
    return s.toString();
  }

  /** {@code V1 0.2s, V2 1.4s (lock wait 0.3s)}. */
  static String timings(List<VersionTiming> timings) {
    if (timings.isEmpty()) {
      return "none";
    }
    StringBuilder s = new StringBuilder();
    for (VersionTiming t : timings) {
      if (s.length() > 0) {
        s.append(", ");
      }
      s.append('V').append(t.version()).append(' ').append(Texts.duration(t.duration()));
      if (!t.lockWait().isZero()) {
        s.append(" (lock wait ").append(Texts.duration(t.lockWait())).append(')');
      }
    }
    return s.toString();
  }

  /**
   * What the rollback of the apply step did, for the run's outcome: the versions undone, what is
   * left applied, and that the schema is the one before (the rollback fails when it is not). When
   * nothing of the plan had been applied, nothing was rolled back and the run ends FAILED.
   */
  static Undone undone(MigrationPlan plan, RollbackResult r) {
    String schema =
        r.schemaMatches()
            ? "the schema equals the one before"
            : "the schema differs from the one before";
    if (r.undone().isEmpty()) {
      return new Undone(
          false, "nothing of V" + String.join(", V", plan.versions()) + " was applied; " + schema);
    }
    List<String> undone = r.undone().stream().map(t -> "V" + t.version()).toList();
    return new Undone(
        true,
        "applied then undid "
            + String.join(", ", undone)
            + " (newest first), none of V"
            + String.join(", V", plan.versions())
            + " is left applied; "
            + schema);
  }

  /** What the approver reads: the Temporal UI's current details and {@code runbook status}. */
  static String approvalText(MigrationPlan plan, RehearsalResult rehearsal) {
    return "plan for "
        + plan.target()
        + ": "
        + summary(plan)
        + ". Rehearsal "
        + rehearsalSummary(rehearsal)
        + ". On approval: a verified backup of "
        + plan.target()
        + " is taken first (a child backup run), then V"
        + String.join(", V", plan.versions())
        + " are applied one at a time"
        + (plan.reversible()
            ? "; a failure runs the down scripts in reverse."
            : "; a failure after an irreversible migration needs a restore of that backup.");
  }
}
