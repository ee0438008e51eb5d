package dev.runbooks.cli;

import dev.runbooks.workflows.migration.LintFinding;
import dev.runbooks.workflows.migration.MigrationPlan;
import dev.runbooks.workflows.migration.MigrationResult;
import dev.runbooks.workflows.migration.MigrationVersions;
import dev.runbooks.workflows.migration.PendingMigration;
import dev.runbooks.workflows.migration.RehearsalResult;
import dev.runbooks.workflows.migration.VersionTiming;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code migrate}: the plan, the rehearsal, the backup and what was applied. */
final class MigrationReport {
  private MigrationReport() {}

  static final Launcher.Report<MigrationResult> MIGRATE =
      new Launcher.Report<>() {
        @Override
        public void printText(MigrationResult r, PrintWriter out) {
          MigrationPlan plan = r.plan();
          out.println();
          out.println(
              "Migration of "
                  + r.target()
                  + ": "
                  + version(r.fromVersion())
                  + " -> "
                  + version(r.toVersion()));
          if (plan.pending().isEmpty()) {
            out.println("  nothing was pending");
            return;
          }
          out.println("  plan");
          for (PendingMigration m : plan.pending()) {
            out.println(
                "    V"
                    + m.version()
                    + "  "
                    + m.script()
                    + (m.irreversible() ? "  (irreversible)" : "  down: " + m.downScript()));
          }
          for (String w : plan.warnings()) {
            out.println("    warning: " + w);
          }
          for (LintFinding f : plan.lint()) {
            if (f.suppressed() != null) {
              out.println("    suppressed: " + f.warning() + " (" + f.suppressed() + ")");
            }
          }
          RehearsalResult rehearsal = r.rehearsal();
          out.println("  rehearsal   on a copy from " + rehearsal.source());
          out.println("    up        " + timings(rehearsal.up()));
          out.println("    down      " + timings(rehearsal.down()));
          out.println(
              "    schema    "
                  + (rehearsal.rollbackProven()
                      ? "equal to the one before: rollback proven"
                      : "rollback not proven (irreversible migration)"));
          out.println("    up again  " + timings(rehearsal.reUp()));
          out.println("    took      " + Text.duration(rehearsal.duration()));
          for (String note : rehearsal.notes()) {
            out.println("    NOTE      " + note);
          }
          out.println("  backup      " + r.backupId() + " (verified, before any change)");
          out.println("  applied     " + timings(r.applied()));
          out.println("  rollback    " + r.rollback());
        }

        @Override
        public Map<String, Object> endJson(WorkflowClient client, RunState end) {
          MigrationVersions v = versions(client, end);
          return v == null ? Map.of() : Map.of("versions", v);
        }

        @Override
        public void printEnd(WorkflowClient client, RunState end, PrintWriter out) {
          MigrationVersions v = versions(client, end);
          if (v == null) {
            return;
          }
          out.println();
          out.println("Migration of " + end.target() + " ended " + end.outcome());
          out.println("  applied     " + list(v.applied()));
          out.println("  undone      " + list(v.undone()));
          out.println("  not applied " + list(v.left()));
          if (v.schemaEqualsBefore() != null) {
            out.println(
                "  schema      "
                    + (v.schemaEqualsBefore()
                        ? "equal to the one before"
                        : "DIFFERS from the one before"));
          }
        }

        @Override
        public Map<String, Object> json(MigrationResult r) {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("fromVersion", r.fromVersion());
          json.put("toVersion", r.toVersion());
          json.put("applied", r.applied());
          json.put("plan", r.plan());
          json.put("rehearsal", r.rehearsal());
          json.put("backupId", r.backupId());
          json.put("rollback", r.rollback());
          return json;
        }
      };

  /** What the run's {@code versions} query says, or null for a run too old to answer it. */
  private static MigrationVersions versions(WorkflowClient client, RunState end) {
    try {
      return client
          .newUntypedWorkflowStub(end.workflowId())
          .query(MigrationVersions.QUERY, MigrationVersions.class);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String list(List<String> versions) {
    return versions.isEmpty() ? "none" : "V" + String.join(", V", versions);
  }

  private static String version(String v) {
    return v == null ? "no version" : "V" + v;
  }

  static String timings(List<VersionTiming> timings) {
    if (timings.isEmpty()) {
      return "none";
    }
    StringBuilder s = new StringBuilder();
    for (VersionTiming t : timings) {
      s.append(s.length() == 0 ? "" : ", ")
          .append('V')
          .append(t.version())
          .append(' ')
          .append(Text.duration(t.duration()));
      if (!t.lockWait().isZero()) {
        s.append(" (lock wait ").append(Text.duration(t.lockWait())).append(')');
      }
    }
    return s.toString();
  }
}
