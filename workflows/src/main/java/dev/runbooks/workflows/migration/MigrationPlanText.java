package dev.runbooks.workflows.migration;

import dev.runbooks.workflows.check.Preflight;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.Texts;
import java.util.List;
import java.util.Objects;

/**
 * What a migration run shows in the Temporal UI before it starts: its summary and its plan, one
 * line per step of {@link MigrationWorkflowImpl#STEPS}. The pending versions and the rehearsal's
 * timings are in the run's step details once validation and the rehearsal are done.
 */
public final class MigrationPlanText {
  /**
   * One migration on disk, as the plan lists it.
   *
   * @param downName null when it has no down script
   * @param verifyName null when it has no verify script
   */
  public record Script(String upName, String downName, boolean irreversible, String verifyName) {
    public Script {
      Objects.requireNonNull(upName, "upName");
    }
  }

  /**
   * The migrations directory as the client read it.
   *
   * @param unreadable why it could not be read; null when it was
   */
  public record OnDisk(String directory, List<Script> scripts, String unreadable) {
    public OnDisk {
      Objects.requireNonNull(directory, "directory");
      scripts = List.copyOf(scripts);
    }

    public static OnDisk read(String directory, List<Script> scripts) {
      return new OnDisk(directory, scripts, null);
    }

    public static OnDisk unreadable(String directory, String problem) {
      return new OnDisk(directory, List.of(), problem);
    }
  }

  /** {@code migrate orders -> latest}, {@code migrate orders -> V3}. */
  public static String summary(MigrationRequest request) {
    return "migrate "
        + request.runbook().target()
        + " -> "
        + (request.to() == null ? "latest" : "V" + request.to());
  }

  /**
   * The plan in Markdown.
   *
   * @param primary the target's primary, as messages show it
   */
  public static String markdown(MigrationRequest request, String primary, OnDisk onDisk) {
    RunbookRequest run = request.runbook();
    StringBuilder md = new StringBuilder();
    md.append("**Migration** of `")
        .append(run.target())
        .append("` (")
        .append(primary)
        .append(") to ")
        .append(request.to() == null ? "the newest version" : "V" + request.to())
        .append(" from `")
        .append(onDisk.directory())
        .append("`, started by ")
        .append(run.initiator())
        .append(".\n\n")
        .append(Texts.numbered(MigrationWorkflowImpl.STEPS, step -> step(step, request)))
        .append(
            "\nA failure in apply or verify, or an abort, runs the down scripts of what was"
                + " applied in reverse and proves the schema is back to the one before.\n");
    if (onDisk.unreadable() != null) {
      md.append("\nThe migrations directory could not be read here: ")
          .append(onDisk.unreadable())
          .append("\n");
      return md.toString();
    }
    md.append("\nMigrations on disk:\n");
    for (Script s : onDisk.scripts()) {
      md.append("- `")
          .append(s.upName())
          .append("`")
          .append(
              s.downName() != null
                  ? " (down: `" + s.downName() + "`)"
                  : s.irreversible() ? " (irreversible)" : " (NO down script)")
          .append(s.verifyName() != null ? " (verify: `" + s.verifyName() + "`)" : "")
          .append("\n");
    }
    return md.toString();
  }

  private static String step(String step, MigrationRequest request) {
    RunbookRequest run = request.runbook();
    return switch (step) {
      case Preflight.STEP -> "connectivity and privileges";
      case "validate" ->
          "Flyway validate against the schema history (edited applied migrations are"
              + " CHECKSUM_MISMATCH), the pending versions, a down script or irreversible marker"
              + " for each, a lint of the pending SQL";
      case "rehearse" ->
          "a scratch copy (the newest verified backup, else schema only): up, down in reverse,"
              + " schema compared with the one before, up again; dropped after";
      case "approve" ->
          request.autoApprove()
              ? "skipped (--auto-approve, non-production target)"
              : "waits for `runbook approve ID`"
                  + (run.fourEyes() ? " from someone other than " + run.initiator() : "")
                  + " (aborts after "
                  + Texts.duration(run.approvalTimeout())
                  + ")";
      case "backup" -> "a verified backup of the target (a child backup run)";
      case "apply" ->
          "one version at a time, lock_timeout "
              + Texts.duration(request.lockTimeout())
              + ", statement_timeout "
              + Texts.duration(request.statementTimeout());
      case "verify" -> "history rows successful, verify scripts true, every table readable";
      default -> throw Texts.unknownStep(step);
    };
  }

  private MigrationPlanText() {}
}
