package dev.runbooks.activities.migration;

import dev.runbooks.activities.backup.Heartbeat;
import dev.runbooks.activities.backup.PgTool;
import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.SessionSettings;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.migration.ApplyInput;
import dev.runbooks.workflows.migration.ApplyResult;
import dev.runbooks.workflows.migration.MigrationActivities;
import dev.runbooks.workflows.migration.MigrationInput;
import dev.runbooks.workflows.migration.MigrationPlan;
import dev.runbooks.workflows.migration.PendingMigration;
import dev.runbooks.workflows.migration.RehearsalInput;
import dev.runbooks.workflows.migration.RehearsalResult;
import dev.runbooks.workflows.migration.RollbackInput;
import dev.runbooks.workflows.migration.RollbackResult;
import dev.runbooks.workflows.migration.SchemaSnapshot;
import dev.runbooks.workflows.migration.ScratchInput;
import dev.runbooks.workflows.migration.VerifyInput;
import dev.runbooks.workflows.migration.VerifyResult;
import dev.runbooks.workflows.migration.VersionTiming;
import dev.runbooks.workflows.shared.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration runbook's side effects, with Flyway OSS applying and validating, and the runbook's
 * own down scripts ({@code U<version>__*.sql}) undoing: Flyway's community edition has no undo.
 *
 * <p>Transient faults (a refused or broken connection) are retried by Temporal; a script that fails
 * is MIGRATION_FAILED, a rollback that cannot finish ROLLBACK_FAILED, and neither is retried.
 */
public final class MigrationActivitiesImpl implements MigrationActivities {
  private static final Logger log = LoggerFactory.getLogger(MigrationActivitiesImpl.class);

  /** Flyway's schema history table, in the target's default schema. */
  public static final String HISTORY_TABLE = "flyway_schema_history";

  /** What the comment of a schema-only rehearsal copy starts with. */
  static final String COPY_MARKER = "runbooks rehearsal copy of ";

  private final TargetConnections connections;
  private final MigrationTargets targets;
  private final PgTool tools;
  private final SchemaDumps dumps;

  /**
   * @param snapshots a directory on this worker for schema snapshots (they can be large)
   */
  public MigrationActivitiesImpl(
      TargetConnections connections,
      MigrationTargets targets,
      PgBinaries binaries,
      Path snapshots) {
    this.connections = Objects.requireNonNull(connections, "connections");
    this.targets = Objects.requireNonNull(targets, "targets");
    this.tools = new PgTool(Objects.requireNonNull(binaries, "binaries"));
    this.dumps = new SchemaDumps(tools, Objects.requireNonNull(snapshots, "snapshots"));
  }

  // ---- validate ----------------------------------------------------------------------------

  @Override
  public MigrationPlan validateMigrations(MigrationInput input) {
    String target = input.target();
    Migrator migrator = onTarget(target);
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
      throw flywayFault(context, e);
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
              + " (or mark the migrations irreversible), then start again; nothing was changed");
    }
    List<String> warnings = new ArrayList<>(SqlLint.lint(sql));
    for (String stray : scripts.strayDowns()) {
      warnings.add(stray + ": a down script without its V script (misnamed?)");
    }
    log.info(
        "{}: at {}, {} pending, {} warnings", context, current, pending.size(), warnings.size());
    return new MigrationPlan(target, current, pending, warnings, targets.production(target));
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
      throw transientFault("checking the schema history of target " + target, e);
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

  // ---- scratch copies ----------------------------------------------------------------------

  @Override
  public void copySchemaOnly(ScratchInput input) {
    String target = input.target();
    ConnectionSpec spec = connections.connectionSpec(target);
    refuseTargetDatabase(spec, input.database(), target);
    String context = "schema-only copy of target " + target + " into " + input.database();
    try (Heartbeat heartbeat = Heartbeat.start("schema-only copy", 0, "steps")) {
      dropScratchCopy(input);
      try (Connection c = connections.primary(target);
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + quote(input.database()) + " TEMPLATE template0");
        s.execute(
            "COMMENT ON DATABASE " + quote(input.database()) + " IS " + literal(marker(input)));
      }
      heartbeat.set(1);
      pipeSchema(spec, spec.withDatabase(input.database()), sessionOptions(target), context);
      heartbeat.set(2);
      copyHistory(target, input.database());
      log.info("{}: done", context);
    } catch (SQLException e) {
      throw transientFault(context, e);
    } catch (IOException e) {
      throw FailureType.MIGRATION_FAILED.failure(context + ": " + e.getMessage());
    }
  }

  private void pipeSchema(ConnectionSpec from, ConnectionSpec into, String options, String context)
      throws IOException {
    try (PgTool.Running dump =
            tools.start(
                PgTool.PG_DUMP,
                List.of(
                    "-Fc",
                    "--schema-only",
                    SessionSettings.dbnameArgument(from.database(), options)),
                from);
        PgTool.Running restore =
            tools.start(
                PgTool.PG_RESTORE,
                List.of(
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    SessionSettings.dbnameArgument(into.database(), options)),
                into)) {
      dump.stdin().close();
      try (InputStream in = dump.stdout();
          OutputStream out = restore.stdin()) {
        in.transferTo(out);
      }
      Integer dumped = dump.waitFor(60_000);
      Integer restored = restore.waitFor(60_000);
      if (dumped == null || dumped != 0 || restored == null || restored != 0) {
        throw new IOException(
            "pg_dump exited with "
                + dumped
                + " ("
                + dump.errors()
                + "), pg_restore with "
                + restored
                + " ("
                + restore.errors()
                + ")");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(context + ": interrupted", e);
    }
  }

  /** The schema history's rows, so that Flyway sees the copy at the target's version. */
  private void copyHistory(String target, String database) throws SQLException {
    try (Connection from = connections.primary(target);
        Connection into = connections.primary(target, database)) {
      if (!exists(from, HISTORY_TABLE)) {
        return;
      }
      try (Statement s = from.createStatement();
          ResultSet rs = s.executeQuery("SELECT * FROM " + HISTORY_TABLE)) {
        ResultSetMetaData meta = rs.getMetaData();
        int n = meta.getColumnCount();
        StringBuilder insert = new StringBuilder("INSERT INTO " + HISTORY_TABLE + " VALUES (");
        for (int i = 1; i <= n; i++) {
          insert.append(i == 1 ? "?" : ", ?");
        }
        try (PreparedStatement p = into.prepareStatement(insert.append(')').toString())) {
          while (rs.next()) {
            for (int i = 1; i <= n; i++) {
              p.setObject(
                  i,
                  rs.getObject(i),
                  meta.getColumnType(i) == Types.OTHER ? Types.OTHER : meta.getColumnType(i));
            }
            p.executeUpdate();
          }
        }
      }
    }
  }

  @Override
  public void dropScratchCopy(ScratchInput input) {
    String target = input.target();
    ConnectionSpec spec = connections.connectionSpec(target);
    refuseTargetDatabase(spec, input.database(), target);
    String context = "dropping rehearsal copy " + input.database() + " of target " + target;
    try (Connection c = connections.primary(target)) {
      String comment;
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database"
                  + " WHERE datname = ?")) {
        s.setString(1, input.database());
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next()) {
            return;
          }
          comment = rs.getString(1);
        }
      }
      if (!comment.startsWith(COPY_MARKER + target + " ")) {
        log.warn("{}: left alone, no rehearsal made it ({})", context, comment);
        return;
      }
      try (Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + quote(input.database()) + " WITH (FORCE)");
      }
      log.info("{}: dropped", context);
    } catch (SQLException e) {
      throw transientFault(context, e);
    }
  }

  private static String marker(ScratchInput input) {
    return COPY_MARKER + input.target() + " (" + input.idempotencyKey() + ")";
  }

  // ---- rehearse ----------------------------------------------------------------------------

  @Override
  public RehearsalResult rehearseMigrations(RehearsalInput input) {
    ScratchInput scratch = input.scratch();
    String target = scratch.target();
    MigrationPlan plan = input.plan();
    ConnectionSpec spec = connections.connectionSpec(target);
    refuseTargetDatabase(spec, scratch.database(), target);
    String context =
        "rehearsal of " + String.join(", ", plan.versions()) + " on a copy of " + target;
    MigrationScripts scripts = scripts(target);
    Migrator migrator =
        new Migrator(() -> connections.primary(target, scratch.database()), scripts);
    long started = System.nanoTime();
    int total = plan.pending().size() * 3 + 2;
    try (Heartbeat heartbeat = Heartbeat.start("rehearse", total, "steps")) {
      List<String> caughtUp = catchUp(migrator, plan, input, context);
      String options = sessionOptions(target);
      SchemaDumps.Schema before = dumps.dump(spec.withDatabase(scratch.database()), options);
      heartbeat.set(1);
      List<VersionTiming> up =
          applyAll(
              migrator,
              plan.versions(),
              input.lockTimeout(),
              input.statementTimeout(),
              context,
              done -> heartbeat.set(1 + done));
      if (!plan.reversible()) {
        return RehearsalResult.upOnly(
            input.source(),
            caughtUp,
            up,
            before.sha256(),
            Duration.ofNanos(System.nanoTime() - started));
      }
      List<VersionTiming> down = new ArrayList<>();
      List<String> reversed = new ArrayList<>(plan.versions());
      Collections.reverse(reversed);
      for (String v : reversed) {
        heartbeat.check();
        down.add(downOne(migrator, v, input.lockTimeout(), input.statementTimeout(), context));
        heartbeat.set(1 + up.size() + down.size());
      }
      SchemaDumps.Schema after = dumps.dump(spec.withDatabase(scratch.database()), options);
      List<String> differences = SchemaDumps.differences(before, after);
      if (!differences.isEmpty()) {
        log.warn("{}: the down scripts do not restore the schema: {}", context, differences);
        return RehearsalResult.rollbackDiffers(
            input.source(),
            caughtUp,
            up,
            down,
            differences,
            before.sha256(),
            Duration.ofNanos(System.nanoTime() - started));
      }
      int undone = down.size();
      List<VersionTiming> reUp =
          applyAll(
              migrator,
              plan.versions(),
              input.lockTimeout(),
              input.statementTimeout(),
              context,
              done -> heartbeat.set(1 + up.size() + undone + done));
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      log.info("{}: up, down, schema equal, up again in {} ms", context, took.toMillis());
      return RehearsalResult.proven(
          input.source(), caughtUp, up, down, reUp, before.sha256(), took);
    } catch (SQLException e) {
      throw transientFault(context, e);
    } catch (IOException e) {
      throw FailureType.MIGRATION_FAILED.failure(context + ": " + e.getMessage());
    }
  }

  /** An older backup's copy is brought to the target's version first, with the same scripts. */
  private List<String> catchUp(
      Migrator migrator, MigrationPlan plan, RehearsalInput input, String context) {
    try {
      List<String> applied = migrator.applied(migrator.flyway("latest", null, null));
      String copyAt = Migrator.current(applied);
      String targetAt = plan.currentVersion();
      if (Objects.equals(copyAt, targetAt)) {
        return List.of();
      }
      if (targetAt == null
          || (copyAt != null
              && MigrationVersion.fromVersion(copyAt)
                  .isNewerThan(MigrationVersion.fromVersion(targetAt)))) {
        throw FailureType.MIGRATION_FAILED.failure(
            context
                + ": the copy ("
                + input.source()
                + ") is at V"
                + copyAt
                + " but the target at "
                + (targetAt == null ? "no version" : "V" + targetAt)
                + ": the backup is newer than the target's schema. Take a new backup of the target"
                + " (runbook backup) and start again");
      }
      List<String> before = applied;
      migrator.flyway(targetAt, input.lockTimeout(), input.statementTimeout()).migrate();
      List<String> now = migrator.applied(migrator.flyway("latest", null, null));
      List<String> caughtUp = new ArrayList<>();
      for (String v : now) {
        if (!before.contains(v)) {
          caughtUp.add("V" + v);
        }
      }
      return caughtUp;
    } catch (FlywayException e) {
      throw FailureType.MIGRATION_FAILED.failure(
          context + ": bringing the copy to the target's version failed: " + e.getMessage());
    }
  }

  // ---- apply -------------------------------------------------------------------------------

  @Override
  public SchemaSnapshot snapshotSchema(MigrationInput input) {
    String target = input.target();
    String context = "schema snapshot of target " + target;
    try {
      SchemaDumps.Schema schema =
          dumps.dump(connections.connectionSpec(target), sessionOptions(target));
      dumps.keep(input.idempotencyKey(), schema);
      return new SchemaSnapshot(
          input.idempotencyKey(), schema.sha256(), schema.statements().size());
    } catch (IOException e) {
      throw FailureType.MIGRATION_FAILED.failure(context + ": " + e.getMessage());
    }
  }

  @Override
  public ApplyResult applyMigrations(ApplyInput input) {
    String target = input.target();
    Migrator migrator = onTarget(target);
    String context = "migration of target " + target;
    try (Heartbeat heartbeat = Heartbeat.start("apply", input.versions().size(), "versions")) {
      // An abort: cancel the statement running now; PostgreSQL rolls its migration back.
      heartbeat.onStop(() -> migrator.cancelSessions(context));
      try {
        return new ApplyResult(
            applyAll(
                migrator,
                input.versions(),
                input.lockTimeout(),
                input.statementTimeout(),
                context,
                heartbeat::set));
      } catch (RuntimeException e) {
        heartbeat.check(); // aborted: report the cancellation, not the statement it cancelled
        throw e;
      }
    } catch (SQLException e) {
      throw transientFault(context, e);
    }
  }

  /**
   * Applies {@code versions} in order with one Flyway migrate to the last of them: Flyway applies
   * them one version at a time, each in its own transaction (or none, for CONCURRENTLY), and stops
   * at the first failure; a callback times each version, takes its lock wait and reports progress.
   * Versions applied already (a retried activity) are reported from the history and skipped; a
   * pending version that is not in {@code versions} but older than the last is refused. A failure
   * removes what a non-transactional script left: its failed history row and any INVALID index.
   */
  List<VersionTiming> applyAll(
      Migrator migrator,
      List<String> versions,
      Duration lockTimeout,
      Duration statementTimeout,
      String context,
      IntConsumer progress)
      throws SQLException {
    List<VersionTiming> done = new ArrayList<>();
    List<String> todo = new ArrayList<>();
    Map<String, Migrator.Row> history = migrator.history();
    for (String version : versions) {
      String v = MigrationScripts.normalise(version);
      if (migrator.scripts().get(v).isEmpty()) {
        throw FailureType.BAD_INPUT.failure(
            context + ": no migration V" + v + "__*.sql in " + migrator.scripts().directory());
      }
      Migrator.Row row = history.get(v);
      if (row != null && row.success()) {
        done.add(new VersionTiming(v, Duration.ofMillis(row.executionMillis()), Duration.ZERO));
      } else {
        if (row != null) {
          migrator.deleteFailedRow(v, migrator.cleanup(lockTimeout, statementTimeout));
        }
        todo.add(v);
      }
    }
    progress.accept(done.size());
    if (todo.isEmpty()) {
      return done;
    }
    MigrationVersion last = MigrationVersion.fromVersion(todo.get(todo.size() - 1));
    for (MigrationScripts.Script s : migrator.scripts().all()) {
      Migrator.Row row = history.get(s.version());
      if (!MigrationVersion.fromVersion(s.version()).isNewerThan(last)
          && (row == null || !row.success())
          && !todo.contains(s.version())) {
        throw FailureType.BAD_INPUT.failure(
            context
                + ": V"
                + s.version()
                + " is pending but not in this run's plan; versions are applied in order."
                + " Start the migration again to plan it");
      }
    }
    List<String> invalidBefore = migrator.invalidIndexes();
    try (LockWaits waits = LockWaits.start(migrator)) {
      PerVersion timing = new PerVersion(waits, done, progress, context);
      try {
        migrator.flyway(last.getVersion(), lockTimeout, statementTimeout, timing).migrate();
      } catch (FlywayException e) {
        String v = timing.current();
        BoundedCleanup cleanup = migrator.cleanup(lockTimeout, statementTimeout);
        Migrator.Cleaned cleaned = migrator.dropNewInvalidIndexes(invalidBefore, cleanup);
        List<String> dropped = cleaned.dropped();
        int rows = v == null ? 0 : migrator.deleteFailedRow(v, cleanup);
        if (isConnectionFault(e)) {
          throw new TransientMigrationException(context + ": V" + v + ": " + e.getMessage(), e);
        }
        if (v == null) {
          throw flywayFault(context, e);
        }
        throw FailureType.MIGRATION_FAILED.failure(
            context
                + ": V"
                + v
                + " ("
                + migrator.scripts().get(v).map(MigrationScripts.Script::upName).orElse("?")
                + ") failed after "
                + timing.elapsed().toMillis()
                + " ms: "
                + rootMessage(e)
                + (dropped.isEmpty()
                    ? ""
                    : "; dropped the INVALID indexes it left: " + String.join(", ", dropped))
                + (cleaned.left().isEmpty() ? "" : "; " + String.join("; ", cleaned.left()))
                + (rows == 0 ? "" : "; removed its failed schema history row")
                + ". V"
                + v
                + " is not applied");
      }
    }
    return done;
  }

  /** Times each version Flyway applies, with the lock wait sampled meanwhile. */
  private static final class PerVersion implements Callback {
    private final LockWaits waits;
    private final List<VersionTiming> done;
    private final IntConsumer progress;
    private final String context;
    private volatile String current;
    private volatile long started;
    private volatile Duration waitedBefore = Duration.ZERO;

    PerVersion(LockWaits waits, List<VersionTiming> done, IntConsumer progress, String context) {
      this.waits = waits;
      this.done = done;
      this.progress = progress;
      this.context = context;
    }

    String current() {
      return current;
    }

    Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - started);
    }

    @Override
    public boolean supports(Event event, Context context) {
      return event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
      return true; // it touches no database
    }

    @Override
    public void handle(Event event, Context flyway) {
      if (event == Event.BEFORE_EACH_MIGRATE) {
        current = flyway.getMigrationInfo().getVersion().getVersion();
        waitedBefore = waits.waited();
        started = System.nanoTime();
        return;
      }
      VersionTiming t = new VersionTiming(current, elapsed(), waits.waited().minus(waitedBefore));
      done.add(t);
      current = null;
      progress.accept(done.size());
      log.info(
          "{}: V{} applied in {} ms (lock wait {} ms)",
          context,
          t.version(),
          t.duration().toMillis(),
          t.lockWait().toMillis());
    }

    @Override
    public String getCallbackName() {
      return "runbooks per-version timing";
    }
  }

  // ---- verify ------------------------------------------------------------------------------

  @Override
  public VerifyResult verifyMigrations(VerifyInput input) {
    String target = input.target();
    Migrator migrator = onTarget(target);
    MigrationScripts scripts = migrator.scripts();
    String context = "verification of the migration of target " + target;
    List<String> checks = new ArrayList<>();
    try {
      List<String> applied = migrator.applied(migrator.flyway("latest", null, null));
      List<String> missing = new ArrayList<>();
      for (String v : input.versions()) {
        if (!applied.contains(v)) {
          missing.add("V" + v);
        }
      }
      if (!missing.isEmpty()) {
        throw FailureType.MIGRATION_FAILED.failure(
            context
                + ": the schema history has no successful row for "
                + String.join(", ", missing));
      }
      checks.add("history: " + input.versions().size() + " rows successful");
      try (Connection c = connections.primary(target)) {
        int verified = 0;
        for (String v : input.versions()) {
          Optional<MigrationScripts.Script> s = scripts.get(v);
          if (s.isEmpty() || s.get().verify() == null) {
            continue;
          }
          String sql = MigrationScripts.text(s.get().verify());
          verifyScript(c, s.get().verifyName(), sql, context);
          verified++;
        }
        checks.add(verified + " verify script" + (verified == 1 ? "" : "s") + " true");
        checks.add("smoke: " + smoke(c) + " tables readable");
      }
      // Verified: nothing rolls this run back now, so its schema snapshot has served.
      dumps.discard(SchemaDumps.snapshotKeyOfRun(input.idempotencyKey()));
      return new VerifyResult(checks);
    } catch (SQLException e) {
      throw transientFault(context, e);
    } catch (IOException e) {
      throw FailureType.MIGRATION_FAILED.failure(context + ": " + e.getMessage());
    } catch (FlywayException e) {
      throw flywayFault(context, e);
    }
  }

  private static void verifyScript(Connection c, String name, String sql, String context) {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      if (!rs.next()
          || rs.getMetaData().getColumnCount() != 1
          || rs.getMetaData().getColumnType(1) != Types.BIT
              && rs.getMetaData().getColumnType(1) != Types.BOOLEAN) {
        throw FailureType.MIGRATION_FAILED.failure(
            context + ": " + name + " must return one row with one boolean column");
      }
      boolean ok = rs.getBoolean(1) && !rs.wasNull();
      if (rs.next()) {
        throw FailureType.MIGRATION_FAILED.failure(
            context + ": " + name + " returned more than one row; it must return one boolean");
      }
      if (!ok) {
        throw FailureType.MIGRATION_FAILED.failure(
            context + ": " + name + " returned false: the migration did not do what it should");
      }
    } catch (SQLException e) {
      throw FailureType.MIGRATION_FAILED.failure(
          context + ": " + name + " failed: " + e.getMessage());
    }
  }

  /** Reads a row of every user table: a migration that broke a table shows here. */
  private static int smoke(Connection c) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables ORDER BY 1")) {
      while (rs.next()) {
        tables.add(rs.getString(1));
      }
    }
    for (String t : tables) {
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT * FROM " + t + " LIMIT 1").close();
      }
    }
    return tables.size();
  }

  // ---- rollback ----------------------------------------------------------------------------

  @Override
  public RollbackResult rollbackMigrations(RollbackInput input) {
    String target = input.target();
    Migrator migrator = onTarget(target);
    MigrationScripts scripts = migrator.scripts();
    String context = "rollback of the migration of target " + target;
    List<VersionTiming> undone = new ArrayList<>();
    List<String> applied;
    try (Heartbeat heartbeat = Heartbeat.start("rollback", input.versions().size(), "versions")) {
      applied = migrator.applied(migrator.flyway("latest", null, null));
      List<String> toUndo = new ArrayList<>();
      for (String v : input.versions()) {
        if (applied.contains(v)) {
          toUndo.add(v);
        }
      }
      Collections.reverse(toUndo);
      for (String v : toUndo) {
        heartbeat.check();
        MigrationScripts.Script s = scripts.get(v).orElse(null);
        if (s == null || s.down() == null) {
          throw rollbackFailed(
              input,
              migrator,
              "V"
                  + v
                  + " has no down script ("
                  + (s != null && s.irreversible() ? "irreversible" : "missing")
                  + ")");
        }
        try {
          undone.add(downOne(migrator, v, input.lockTimeout(), input.statementTimeout(), context));
        } catch (ApplicationFailure e) {
          throw rollbackFailed(input, migrator, e.getOriginalMessage());
        }
        heartbeat.set(undone.size());
      }
      SchemaDumps.Schema now =
          dumps.dump(connections.connectionSpec(target), sessionOptions(target));
      if (!now.sha256().equals(input.before().sha256())) {
        Optional<SchemaDumps.Schema> before = dumps.kept(input.before().key());
        String diff =
            before
                .map(b -> String.join("; ", SchemaDumps.differences(b, now)))
                .orElse(
                    "its hash is "
                        + now.sha256()
                        + ", before it was "
                        + input.before().sha256()
                        + " (the text before is on another worker)");
        dumps.discard(input.before().key());
        throw rollbackFailed(
            input,
            migrator,
            "the down scripts ran, but the schema differs from the one before: " + diff);
      }
      log.info("{}: undid {}; schema equals the one before", context, undone);
      dumps.discard(input.before().key());
      return new RollbackResult(undone, true);
    } catch (IOException e) {
      throw rollbackFailed(input, migrator, e.getMessage());
    } catch (FlywayException e) {
      throw rollbackFailed(input, migrator, e.getMessage());
    }
  }

  /** A precise state report: what is applied now, what is not, and the backup to restore. */
  private ApplicationFailure rollbackFailed(RollbackInput input, Migrator migrator, String why) {
    String state;
    try {
      List<String> now = migrator.applied(migrator.flyway("latest", null, null));
      List<String> applied = new ArrayList<>();
      List<String> notApplied = new ArrayList<>();
      for (String v : input.versions()) {
        (now.contains(v) ? applied : notApplied).add("V" + v);
      }
      state =
          "of this run's versions, applied now: "
              + (applied.isEmpty() ? "none" : String.join(", ", applied))
              + "; not applied: "
              + (notApplied.isEmpty() ? "none" : String.join(", ", notApplied));
    } catch (RuntimeException e) {
      state = "the schema history could not be read (" + e.getMessage() + ")";
    }
    String backup =
        input.backupId() == null
            ? "there is no pre-migration backup"
            : "restore the pre-migration backup "
                + input.backupId()
                + " (runbook restore --target "
                + input.target()
                + " --backup "
                + input.backupId()
                + " --into NEW_DB) and compare";
    return FailureType.ROLLBACK_FAILED.failure(
        "rollback of target "
            + input.target()
            + " stopped: "
            + why
            + ". State: "
            + state
            + ". It is not retried: fix it by hand, or "
            + backup);
  }

  private VersionTiming downOne(
      Migrator migrator,
      String v,
      Duration lockTimeout,
      Duration statementTimeout,
      String context) {
    MigrationScripts.Script s = migrator.scripts().get(v).orElseThrow();
    long started = System.nanoTime();
    try (LockWaits waits = LockWaits.start(migrator)) {
      migrator.runDown(s, lockTimeout, statementTimeout);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      return new VersionTiming(v, took, waits.waited());
    } catch (SQLException e) {
      if (isConnectionFault(e)) {
        throw new TransientMigrationException(
            context + ": down script of V" + v + ": " + e.getMessage(), e);
      }
      throw FailureType.MIGRATION_FAILED.failure(
          context
              + ": the down script "
              + s.downName()
              + " of V"
              + v
              + " failed: "
              + e.getMessage()
              + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")"));
    } catch (IOException e) {
      throw FailureType.MIGRATION_FAILED.failure(context + ": " + e.getMessage());
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Flyway and the down scripts against the target's own database. */
  private Migrator onTarget(String target) {
    return new Migrator(() -> connections.primary(target), scripts(target));
  }

  private MigrationScripts scripts(String target) {
    Path dir = targets.migrations(target);
    try {
      return MigrationScripts.read(dir);
    } catch (IOException e) {
      throw FailureType.BAD_INPUT.failure(
          "target "
              + target
              + ": cannot read its migrations directory "
              + dir
              + " ("
              + e
              + "); check migrations: in the configuration and the directory's permissions");
    }
  }

  /** The options pg_dump and pg_restore sessions set: the same bounds as every JDBC session. */
  private String sessionOptions(String target) {
    try (Connection c = connections.primary(target)) {
      return connections.sessionSettings().libpqOptions(c);
    } catch (SQLException e) {
      throw transientFault("connecting to target " + target, e);
    }
  }

  private static boolean exists(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static boolean isConnectionFault(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql
          && sql.getSQLState() != null
          && sql.getSQLState().startsWith("08")) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql.getMessage().strip()
            + (sql.getSQLState() == null ? "" : " (SQLSTATE " + sql.getSQLState() + ")");
      }
    }
    return e.getMessage().strip();
  }

  private static RuntimeException flywayFault(String context, FlywayException e) {
    if (isConnectionFault(e)) {
      return new TransientMigrationException(context + ": " + rootMessage(e), e);
    }
    return FailureType.MIGRATION_FAILED.failure(context + ": Flyway: " + rootMessage(e));
  }

  private static TransientMigrationException transientFault(String context, SQLException e) {
    return new TransientMigrationException(
        context
            + " failed: "
            + e.getMessage()
            + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")")
            + "; the activity will be retried",
        e);
  }

  private static void refuseTargetDatabase(ConnectionSpec spec, String database, String target) {
    if (spec.database().equals(database) || !database.matches("[a-z0-9_]{1,63}")) {
      throw FailureType.BAD_INPUT.failure(
          "the rehearsal copy "
              + database
              + " must be a new database (lower-case letters, digits, '_') other than target "
              + target
              + "'s own");
    }
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static String literal(String text) {
    return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'";
  }
}
