package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.activities.migration.MigrationScripts;
import dev.runbooks.workflows.migration.MigrationRequest;
import dev.runbooks.workflows.migration.MigrationWorkflow;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookRequest;
import java.io.IOException;
import java.time.Duration;

/**
 * A migration run prepared for {@code migrate} and the demo: the request, and the summary and plan
 * the Temporal UI shows (the migrations on disk; the pending ones and the rehearsal's timings are
 * in the run's step details once validation and the rehearsal are done).
 */
final class MigrationRuns {
  private final RunbooksConfig config;
  private final String initiator;

  MigrationRuns(RunbooksConfig config, String initiator) {
    this.config = config;
    this.initiator = initiator;
  }

  /** Refuses a {@code --to} that cannot name a migration version before any run starts. */
  private static void checkVersion(String to) {
    if (to == null) {
      return;
    }
    try {
      MigrationScripts.normalise(to.startsWith("V") ? to.substring(1) : to);
    } catch (RuntimeException e) {
      throw new UsageException(
          "--to "
              + to
              + " is not a migration version: give the version of a V<version>__<name>.sql"
              + " script, such as 7 or 1.2, or leave --to out for the newest.");
    }
  }

  /**
   * @param to null for the newest version
   * @throws UsageException for --auto-approve on a production target, or a target without
   *     migrations
   */
  RunbookStarter.Launch migrate(
      String target,
      String to,
      boolean autoApprove,
      Duration lockTimeout,
      Duration statementTimeout,
      String workflowId) {
    TargetConfig t = config.target(target);
    if (t.migrations() == null) {
      throw new UsageException(
          "target "
              + target
              + " has no migrations: directory in "
              + config.file()
              + ". Add `migrations: path/to/dir` under targets."
              + target
              + ".");
    }
    if (autoApprove && t.production()) {
      throw new UsageException(
          "--auto-approve is only for targets marked production: false, and "
              + target
              + " is a production target (production: true, the default). Start it without"
              + " --auto-approve and have it approved with: runbook approve ID");
    }
    checkVersion(to);
    MigrationRequest request =
        new MigrationRequest(
            new RunbookRequest(t.name(), initiator, t.fourEyes(), t.approvalTimeout()),
            to,
            autoApprove,
            lockTimeout,
            statementTimeout);
    return new RunbookStarter.Launch(
        MigrationWorkflow.class,
        request,
        new RunbookStarter.Plan(
            RunbookKind.MIGRATE,
            t.name(),
            workflowId,
            initiator,
            "migrate " + t.name() + " -> " + (to == null ? "latest" : "V" + to),
            details(t, to, autoApprove, lockTimeout, statementTimeout)));
  }

  private String details(
      TargetConfig t, String to, boolean autoApprove, Duration lock, Duration statement) {
    StringBuilder md = new StringBuilder();
    md.append("**Migration** of `")
        .append(t.name())
        .append("` (")
        .append(t.primary())
        .append(") to ")
        .append(to == null ? "the newest version" : "V" + to)
        .append(" from `")
        .append(t.migrations())
        .append("`, started by ")
        .append(initiator)
        .append(".\n\n")
        .append("1. preflight: connectivity and privileges\n")
        .append(
            "2. validate: Flyway validate against the schema history (edited applied migrations"
                + " are CHECKSUM_MISMATCH), the pending versions, a down script or irreversible"
                + " marker for each, a lint of the pending SQL\n")
        .append(
            "3. rehearse: a scratch copy (the newest verified backup, else schema only): up,"
                + " down in reverse, schema compared with the one before, up again; dropped after\n")
        .append(
            autoApprove
                ? "4. approve: skipped (--auto-approve, non-production target)\n"
                : "4. approve: waits for `runbook approve ID`"
                    + (t.fourEyes() ? " from someone other than " + initiator : "")
                    + " (aborts after "
                    + Text.duration(t.approvalTimeout())
                    + ")\n")
        .append("5. backup: a verified backup of the target (a child backup run)\n")
        .append("6. apply: one version at a time, lock_timeout ")
        .append(Text.duration(lock))
        .append(", statement_timeout ")
        .append(Text.duration(statement))
        .append("\n")
        .append(
            "7. verify: history rows successful, verify scripts true, every table readable\n\n"
                + "A failure in apply or verify, or an abort, runs the down scripts of what was"
                + " applied in reverse and proves the schema is back to the one before.\n");
    try {
      MigrationScripts scripts = MigrationScripts.read(t.migrations());
      md.append("\nMigrations on disk:\n");
      for (MigrationScripts.Script s : scripts.all()) {
        md.append("- `")
            .append(s.upName())
            .append("`")
            .append(
                s.down() != null
                    ? " (down: `" + s.downName() + "`)"
                    : s.irreversible() ? " (irreversible)" : " (NO down script)")
            .append(s.verify() != null ? " (verify: `" + s.verifyName() + "`)" : "")
            .append("\n");
      }
    } catch (IOException e) {
      md.append("\nThe migrations directory could not be read here: ").append(e).append("\n");
    }
    return md.toString();
  }
}
