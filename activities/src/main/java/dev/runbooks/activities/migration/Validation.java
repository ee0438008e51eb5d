package dev.runbooks.activities.migration;

import dev.runbooks.workflows.migration.LintFinding;
import dev.runbooks.workflows.migration.MigrationInput;
import dev.runbooks.workflows.migration.MigrationPlan;
import dev.runbooks.workflows.migration.PendingMigration;
import dev.runbooks.workflows.shared.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbook's first step, validate: the scripts against the schema history (edited, failed or
 * unbaselined history refused), the versions to apply up to {@code --to}, a down script for each,
 * and the lint's warnings. Nothing changes on the target.
 */
final class Validation {
  private static final Logger log = LoggerFactory.getLogger(Validation.class);
  private static final String HISTORY_TABLE = MigrationActivitiesImpl.HISTORY_TABLE;

  private final Migrators m;

  Validation(Migrators m) {
    this.m = m;
  }

  MigrationPlan validateMigrations(MigrationInput input) {
    String target = input.target();
    Migrator migrator = m.onTarget(target);
    MigrationScripts scripts = migrator.scripts();
    String context = "validating the migrations of target " + target;
    Flyway flyway = migrator.flyway("latest", null, null);
    List<MigrationInfo> pendingInfos = new ArrayList<>();
    String current;
    try {
      ValidateResult result = flyway.validateWithResult();
      if (!result.validationSuccessful) {
        throw invalid(target, scripts, result);
      }
      List<String> failed = new ArrayList<>();
      for (MigrationInfo info : flyway.info().all()) {
        if (info.getState().isFailed()) {
          failed.add("V" + info.getVersion() + " (" + info.getScript() + ")");
        }
      }
      if (!failed.isEmpty()) {
        throw FailureType.BAD_INPUT.failure(
            context
                + ": the schema history records failed migrations "
                + String.join(", ", failed)
                + ", so the schema is in an unknown state. Compare it with the scripts, fix it"
                + " by hand, delete the failed rows from "
                + HISTORY_TABLE
                + ", then start again");
      }
      current = Migrator.current(migrator.applied(flyway));
      if (current == null) {
        refuseUnbaselined(migrator, target);
      }
      Collections.addAll(pendingInfos, flyway.info().pending());
    } catch (FlywayException e) {
      throw MigrationFaults.flyway(context, e);
    }
    MigrationVersion to = to(input, scripts, current);
    List<PendingMigration> pending = new ArrayList<>();
    List<MigrationScripts.Script> chosen = new ArrayList<>();
    List<SqlLint.NamedSql> sql = new ArrayList<>();
    try {
      for (MigrationInfo info : pendingInfos) {
        if (info.getVersion() == null || info.getVersion().isNewerThan(to)) {
          continue;
        }
        MigrationScripts.Script s = scripts.get(info.getVersion().getVersion()).orElseThrow();
        chosen.add(s);
        pending.add(
            new PendingMigration(
                s.version(),
                s.description(),
                s.upName(),
                s.downName(),
                s.irreversible(),
                s.verifyName()));
        sql.add(new SqlLint.NamedSql(s.upName(), MigrationScripts.text(s.up())));
      }
    } catch (IOException e) {
      throw FailureType.BAD_INPUT.failure(
          context + ": cannot read a migration in " + scripts.directory() + ": " + e.getMessage());
    }
    List<String> missing = MigrationScripts.missingDowns(chosen);
    if (!missing.isEmpty()) {
      throw FailureType.BAD_INPUT.failure(
          context
              + ": every pending migration needs a down script or the header comment '"
              + MigrationScripts.IRREVERSIBLE_MARKER
              + "', and these have neither: "
              + String.join(", ", missing)
              + ". Write the down scripts in "
              + scripts.directory()
              + " (or mark the migrations irreversible, in their header or, leaving the files as"
              + " they are, in the target's migrations: { path: ..., irreversible: [\"1.8\","
              + " \"1.9+\"] }), then start again; nothing was changed");
    }
    List<LintFinding> lint = SqlLint.lint(sql);
    List<String> warnings = new ArrayList<>(SqlLint.warnings(lint));
    for (String stray : scripts.strayDowns()) {
      warnings.add(stray + ": a down script without its V script (misnamed?)");
    }
    log.info(
        "{}: at {}, {} pending, {} warnings", context, current, pending.size(), warnings.size());
    return new MigrationPlan(
        target, current, pending, warnings, m.targets.production(target), lint);
  }

  /** Flyway refuses a non-empty schema without history: say so before the rehearsal does. */
  private static void refuseUnbaselined(Migrator migrator, String target) {
    try {
      if (migrator.historyExists()) {
        return;
      }
      try (Connection c = migrator.open();
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT current_schema(), count(*) FROM pg_class c JOIN pg_namespace n ON n.oid"
                      + " = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN"
                      + " ('r', 'p', 'v', 'm', 'S', 'f')")) {
        rs.next();
        if (rs.getLong(2) > 0) {
          throw FailureType.BAD_INPUT.failure(
              "target "
                  + target
                  + ": schema "
                  + rs.getString(1)
                  + " has "
                  + rs.getLong(2)
                  + " tables, views or sequences but no "
                  + HISTORY_TABLE
                  + ", so Flyway cannot tell what is applied. Baseline it once (flyway baseline"
                  + " -baselineVersion=<the version the schema is at>), then start again; nothing"
                  + " was changed");
        }
      }
    } catch (SQLException e) {
      throw MigrationFaults.sql(e, "check the schema history of target " + target);
    }
  }

  private static ApplicationFailure invalid(
      String target, MigrationScripts scripts, ValidateResult result) {
    List<String> mismatches = new ArrayList<>();
    for (ValidateOutput out : result.invalidMigrations) {
      if (out.errorDetails != null
          && out.errorDetails.errorCode == CoreErrorCode.CHECKSUM_MISMATCH) {
        String file =
            out.filepath == null || out.filepath.isEmpty()
                ? scripts.get(out.version).map(MigrationScripts.Script::upName).orElse("?")
                : Path.of(out.filepath).getFileName().toString();
        mismatches.add(
            "V" + out.version + " (" + file + "): " + out.errorDetails.errorMessage.strip());
      }
    }
    if (!mismatches.isEmpty()) {
      return FailureType.CHECKSUM_MISMATCH.failure(
          "target "
              + target
              + ": applied migrations were edited since they were applied: "
              + String.join("; ", mismatches)
              + ". An applied migration must never change: restore the file as it was applied"
              + " (git history) and put the change in a new migration; nothing was changed");
    }
    return FailureType.BAD_INPUT.failure(
        "target "
            + target
            + ": the migrations in "
            + scripts.directory()
            + " do not match the schema history: "
            + result.getAllErrorMessages().strip()
            + ". Fix the directory (or the history), then start again; nothing was changed");
  }

  private static MigrationVersion to(MigrationInput input, MigrationScripts scripts, String now) {
    if (input.to() == null) {
      return MigrationVersion.LATEST;
    }
    String v;
    try {
      v =
          MigrationScripts.normalise(
              input.to().startsWith("V") ? input.to().substring(1) : input.to());
    } catch (RuntimeException e) {
      v = null;
    }
    if (v == null || scripts.get(v).isEmpty()) {
      throw FailureType.BAD_INPUT.failure(
          "--to "
              + input.to()
              + ": no migration V"
              + input.to()
              + "__*.sql in "
              + scripts.directory()
              + "; the versions there are "
              + String.join(", ", scripts.all().stream().map(s -> s.version()).toList()));
    }
    return MigrationVersion.fromVersion(v);
  }
}
