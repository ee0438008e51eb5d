package dev.runbooks.activities.failover;

import dev.runbooks.activities.config.Endpoint;
import dev.runbooks.activities.config.FailoverConfig;
import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.activities.secrets.SecretNotFoundException;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.failover.CatchUp;
import dev.runbooks.workflows.failover.CatchUpInput;
import dev.runbooks.workflows.failover.FailoverActivities;
import dev.runbooks.workflows.failover.FailoverSettings;
import dev.runbooks.workflows.failover.FenceInput;
import dev.runbooks.workflows.failover.Fencing;
import dev.runbooks.workflows.failover.Lsn;
import dev.runbooks.workflows.failover.PrimaryProbe;
import dev.runbooks.workflows.failover.PrimaryState;
import dev.runbooks.workflows.failover.Promotion;
import dev.runbooks.workflows.failover.Publication;
import dev.runbooks.workflows.failover.PublishInput;
import dev.runbooks.workflows.failover.Rejoin;
import dev.runbooks.workflows.failover.RejoinInput;
import dev.runbooks.workflows.failover.ReplicaState;
import dev.runbooks.workflows.failover.Repoint;
import dev.runbooks.workflows.failover.RepointInput;
import dev.runbooks.workflows.failover.ServerInput;
import dev.runbooks.workflows.failover.Topology;
import dev.runbooks.workflows.failover.Verification;
import dev.runbooks.workflows.failover.VerifyInput;
import dev.runbooks.workflows.shared.ActivityProgress;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.SecretRef;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover runbook's side effects over a target's PostgreSQL servers, as its admin role. The
 * admin role must be a superuser: fencing uses ALTER SYSTEM and reads pg_file_settings, ends other
 * roles' sessions and changes their LOGIN attribute, and repointing reads primary_conninfo, which
 * only superusers can see. Every session this class opens turns default_transaction_read_only off
 * for itself first, so a fenced server stays workable for the runbook alone.
 */
public final class FailoverActivitiesImpl implements FailoverActivities {
  private static final Logger log = LoggerFactory.getLogger(FailoverActivitiesImpl.class);

  /** Where the canary write of verification goes, on the new primary, in the target's database. */
  static final String CANARY_TABLE = "public.runbooks_failover_canary";

  static final int DOWN_ATTEMPTS = 3;
  static final Duration POLL = Duration.ofMillis(10);

  private final TargetConnections connections;
  private final FailoverTargets targets;
  private final SecretStore secrets;
  private final Clock clock;
  private final Optional<PgBinaries> binaries;
  private final Duration downInterval;
  private final Duration streamingWait;

  /**
   * @param binaries pg_ctl and pg_rewind, for {@code --rejoin} on the old primary's host; empty
   *     when the worker has none (rejoin then lists the manual steps)
   */
  public FailoverActivitiesImpl(
      TargetConnections connections,
      FailoverTargets targets,
      SecretStore secrets,
      Optional<PgBinaries> binaries,
      Clock clock) {
    this(
        connections,
        targets,
        secrets,
        binaries,
        clock,
        Duration.ofSeconds(1),
        Duration.ofSeconds(20));
  }

  FailoverActivitiesImpl(
      TargetConnections connections,
      FailoverTargets targets,
      SecretStore secrets,
      Optional<PgBinaries> binaries,
      Clock clock,
      Duration downInterval,
      Duration streamingWait) {
    this.binaries = Objects.requireNonNull(binaries, "binaries");
    this.connections = Objects.requireNonNull(connections, "connections");
    this.targets = Objects.requireNonNull(targets, "targets");
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.downInterval = downInterval;
    this.streamingWait = streamingWait;
  }

  // ---- preflight ---------------------------------------------------------------------------

  @Override
  public Topology inspectTopology(String target) {
    FailoverConfig config = targets.settings(target);
    PrimaryState primary = primary(target);
    List<ReplicaState> replicas = new ArrayList<>();
    List<String> withPassword = new ArrayList<>();
    for (String name : connections.replicaNames(target)) {
      replicas.add(replica(target, name, primary, withPassword));
    }
    if (!withPassword.isEmpty()) {
      throw FailureType.PREFLIGHT_FAILED.failure(Passfiles.refusal(target, withPassword));
    }
    FailoverSettings settings =
        new FailoverSettings(
            config.approval(),
            config.catchUpTimeout(),
            config.maxLagBytes(),
            config.hook().isEmpty() ? null : String.join(" ", config.hook()));
    return new Topology(primary, replicas, settings);
  }

  private PrimaryState primary(String target) {
    String address = address(target, FailoverTargets.PRIMARY);
    try (Connection c = connections.primary(target);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN NULL ELSE"
                    + " pg_current_wal_lsn()::text END")) {
      rs.next();
      if (rs.getBoolean(1)) {
        throw FailureType.PREFLIGHT_FAILED.failure(
            "the configured primary of "
                + target
                + " at "
                + address
                + " is in recovery: it is a replica. Nothing was changed. If a failover already"
                + " happened, update targets."
                + target
                + " in runbooks.yaml so that primary: names the current primary (see the"
                + " endpoint record in the secret store).");
      }
      String lsn = rs.getString(2);
      return new PrimaryState(FailoverTargets.PRIMARY, address, true, "", lsn, timeline(c));
    } catch (SQLException e) {
      return new PrimaryState(FailoverTargets.PRIMARY, address, false, message(e), null, 0);
    }
  }

  private ReplicaState replica(
      String target, String name, PrimaryState primary, List<String> withPassword) {
    String address = address(target, name);
    try (Connection c = connections.replica(target, name)) {
      if (!bool(c, "SELECT pg_is_in_recovery()")) {
        return new ReplicaState(
            name,
            address,
            true,
            "not in recovery: it takes writes itself (promoted earlier?)",
            false,
            false,
            null,
            null,
            null,
            null,
            null);
      }
      if (Passfiles.conninfoHoldsPassword(c)) {
        withPassword.add(name);
      }
      boolean paused;
      String receive;
      String replay;
      Duration sinceReplay;
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT pg_is_wal_replay_paused(), pg_last_wal_receive_lsn()::text,"
                      + " pg_last_wal_replay_lsn()::text,"
                      + " extract(epoch FROM now() - pg_last_xact_replay_timestamp())")) {
        rs.next();
        paused = rs.getBoolean(1);
        receive = rs.getString(2);
        replay = rs.getString(3);
        double seconds = rs.getDouble(4);
        sinceReplay = rs.wasNull() ? null : Duration.ofMillis((long) (seconds * 1000));
      }
      boolean streaming = false;
      String endLsn = null;
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery("SELECT status, latest_end_lsn::text FROM pg_stat_wal_receiver")) {
        if (rs.next()) {
          streaming = "streaming".equals(rs.getString(1));
          endLsn = rs.getString(2);
        }
      }
      Long lag = null;
      Duration lagTime = null;
      if (primary.currentLsn() != null && replay != null) {
        lag = Math.max(0, Lsn.parse(primary.currentLsn()) - Lsn.parse(replay));
        lagTime = lag == 0 ? Duration.ZERO : sinceReplay;
      }
      return new ReplicaState(
          name, address, true, "", streaming, paused, receive, replay, lag, lagTime, endLsn);
    } catch (SQLException e) {
      return new ReplicaState(
          name, address, false, message(e), false, false, null, null, null, null, null);
    }
  }

  @Override
  public PrimaryProbe confirmPrimaryDown(String target) {
    String last = "";
    for (int attempt = 1; attempt <= DOWN_ATTEMPTS; attempt++) {
      try (Connection c = connections.primary(target)) {
        bool(c, "SELECT true");
        return new PrimaryProbe(false, attempt, "");
      } catch (SQLException e) {
        last = message(e);
        log.info("primary of {} down on attempt {}: {}", target, attempt, last);
      }
      if (attempt < DOWN_ATTEMPTS) {
        sleep(downInterval);
      }
    }
    return new PrimaryProbe(true, DOWN_ATTEMPTS, last);
  }

  // ---- fencing -----------------------------------------------------------------------------

  @Override
  public Fencing fencePrimary(FenceInput input) {
    String target = input.target();
    try (Connection c = admin(connections.primary(target))) {
      FenceRecord record = fenceRecord(c);
      if (record != null && !record.runId().equals(input.runId())) {
        throw FailureType.CONFLICT.failure(
            "the primary of "
                + target
                + " is already fenced by run "
                + record.runId()
                + " (setting "
                + FenceRecord.SETTING
                + "). Nothing was changed. Finish or unfence that run first"
                + " (runbooks/failover.md, \"Unfence by hand\").");
      }
      if (record == null) {
        boolean readOnlyBefore =
            "on"
                .equals(
                    string(
                        c,
                        "SELECT reset_val FROM pg_settings"
                            + " WHERE name = 'default_transaction_read_only'"));
        record = new FenceRecord(input.runId(), !readOnlyBefore, applicationRoles(c, target));
        // Written first: a retry after a lost answer must undo what this run changed, no more.
        alterSystem(c, FenceRecord.SETTING, record.encode());
      }
      if (record.readOnlyChanged()) {
        alterSystem(c, "default_transaction_read_only", "on");
      }
      for (String role : record.roles()) {
        execute(c, "ALTER ROLE " + identifier(c, role) + " NOLOGIN");
      }
      Instant fencedAt = clock.instant();
      bool(c, "SELECT pg_reload_conf()");
      int ended = terminateClientSessions(c);
      String lsn = string(c, "SELECT pg_current_wal_lsn()::text");
      log.info(
          "fenced the primary of {} for run {} at {}: read-only, NOLOGIN {}, {} sessions ended",
          target,
          input.runId(),
          lsn,
          record.roles(),
          ended);
      return new Fencing(lsn, fencedAt, record.readOnlyChanged(), record.roles(), ended);
    } catch (SQLException e) {
      throw sqlFailure("fence the primary of " + target, e);
    }
  }

  @Override
  public String unfencePrimary(FenceInput input) {
    String target = input.target();
    try (Connection c = admin(connections.primary(target))) {
      FenceRecord record = fenceRecord(c);
      if (record == null) {
        return "the primary of " + target + " is not fenced";
      }
      if (!record.runId().equals(input.runId())) {
        throw FailureType.CONFLICT.failure(
            "the primary of "
                + target
                + " is fenced by run "
                + record.runId()
                + ", not by "
                + input.runId()
                + "; left as it is. Unfence it by hand if that run is over (runbooks/failover.md).");
      }
      for (String role : record.roles()) {
        execute(c, "ALTER ROLE " + identifier(c, role) + " LOGIN");
      }
      if (record.readOnlyChanged()) {
        execute(c, "ALTER SYSTEM RESET default_transaction_read_only");
      }
      knowSetting(c);
      execute(c, "ALTER SYSTEM RESET " + FenceRecord.SETTING);
      bool(c, "SELECT pg_reload_conf()");
      log.info("unfenced the primary of {} (run {})", target, input.runId());
      return "writes resumed on the primary of "
          + target
          + (record.roles().isEmpty() ? "" : "; LOGIN again: " + String.join(", ", record.roles()));
    } catch (SQLException e) {
      throw sqlFailure("unfence the primary of " + target, e);
    }
  }

  private static FenceRecord fenceRecord(Connection c) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT setting FROM pg_file_settings WHERE name = ? AND error IS NULL"
                + " ORDER BY seqno DESC LIMIT 1")) {
      s.setString(1, FenceRecord.SETTING);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? FenceRecord.decode(rs.getString(1)) : null;
      }
    }
  }

  /** The configured roles that exist, else every login role but superusers, replication, us. */
  private List<String> applicationRoles(Connection c, String target) throws SQLException {
    List<String> configured = targets.settings(target).fenceRoles();
    List<String> roles = new ArrayList<>();
    String sql =
        configured != null
            ? "SELECT rolname FROM pg_roles WHERE rolname = ANY (?) AND rolcanlogin ORDER BY 1"
            : "SELECT rolname FROM pg_roles WHERE rolcanlogin AND NOT rolsuper AND NOT"
                + " rolreplication AND rolname <> current_user AND rolname !~ '^pg_' ORDER BY 1";
    try (PreparedStatement s = c.prepareStatement(sql)) {
      if (configured != null) {
        s.setArray(1, c.createArrayOf("text", configured.toArray()));
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          roles.add(rs.getString(1));
        }
      }
    }
    return roles;
  }

  /**
   * Ends every client session but this one: a session open before fencing may sit in a read-write
   * transaction and commit after the final position is read. WAL senders are not client backends,
   * so replication goes on.
   */
  private static int terminateClientSessions(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  // ---- catch-up and promotion --------------------------------------------------------------

  @Override
  public CatchUp awaitReplay(CatchUpInput input) {
    long wanted = Lsn.parse(input.lsn());
    long deadline = System.nanoTime() + input.slice().toNanos();
    try (Connection c = connections.replica(input.target(), input.replica());
        PreparedStatement s =
            c.prepareStatement(
                "SELECT pg_last_wal_replay_lsn()::text, pg_last_wal_receive_lsn()::text")) {
      Long first = null;
      while (true) {
        String replay;
        String receive;
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          replay = rs.getString(1);
          receive = rs.getString(2);
        }
        long replayed = Lsn.parse(replay);
        long received = Lsn.parse(receive);
        // Replay ends at a record's end; a position read on the primary may sit past a page
        // header. Everything received and replayed, and received past the wanted position, is
        // caught up as well.
        boolean caughtUp = replayed >= wanted || (received >= wanted && replayed == received);
        long remaining = caughtUp ? 0 : Math.max(0, wanted - replayed);
        if (first == null) {
          first = remaining;
        }
        heartbeat(new ActivityProgress("catch-up", first - remaining, first, "bytes"));
        if (caughtUp || System.nanoTime() > deadline) {
          return new CatchUp(replay == null ? "0/0" : replay, remaining);
        }
        sleep(POLL);
      }
    } catch (SQLException e) {
      throw sqlFailure("follow the replay of " + input.replica(), e);
    }
  }

  @Override
  public Promotion promoteReplica(ServerInput input) {
    try (Connection c = connections.replica(input.target(), input.server())) {
      boolean already = !bool(c, "SELECT pg_is_in_recovery()");
      if (!already && !bool(c, "SELECT pg_promote(true, 60)")) {
        throw new IllegalStateException(
            "pg_promote on "
                + input.server()
                + " did not finish within 60 s; it is retried. Its server log says why it is"
                + " slow.");
      }
      String lsn = string(c, "SELECT pg_current_wal_lsn()::text");
      log.info("{} is out of recovery at {} (already: {})", input.server(), lsn, already);
      return new Promotion(already, timeline(c), lsn);
    } catch (SQLException e) {
      throw sqlFailure("promote " + input.server(), e);
    }
  }

  @Override
  public boolean isInRecovery(ServerInput input) {
    try (Connection c = connections.replica(input.target(), input.server())) {
      return bool(c, "SELECT pg_is_in_recovery()");
    } catch (SQLException e) {
      throw sqlFailure("ask " + input.server() + " whether it is in recovery", e);
    }
  }

  @Override
  public Verification verifyPrimary(VerifyInput input) {
    String server = input.server();
    try (Connection c = admin(connections.replica(input.target(), server))) {
      if (bool(c, "SELECT pg_is_in_recovery()")) {
        throw new IllegalStateException(
            server + " is still in recovery after promotion; verification is retried");
      }
      int timeline = timeline(c);
      if (input.oldTimeline() > 0 && timeline <= input.oldTimeline()) {
        throw ApplicationFailure.newNonRetryableFailure(
            server
                + " is on timeline "
                + timeline
                + ", expected a timeline after the old primary's "
                + input.oldTimeline()
                + ": it may not have been promoted from this primary's WAL. Compare both"
                + " servers (pg_control_checkpoint()) before sending writes to it.",
            "VERIFICATION_FAILED");
      }
      for (String role : input.reopenRoles()) {
        execute(c, "ALTER ROLE " + identifier(c, role) + " LOGIN");
      }
      Instant written = canaryWrite(c, input.canaryKey());
      try (PreparedStatement s =
          c.prepareStatement("SELECT count(*) FROM " + CANARY_TABLE + " WHERE run_id = ?")) {
        s.setString(1, input.canaryKey());
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          if (rs.getInt(1) != 1) {
            throw ApplicationFailure.newNonRetryableFailure(
                "the canary write on " + server + " did not read back", "VERIFICATION_FAILED");
          }
        }
      }
      return new Verification(timeline, string(c, "SELECT pg_current_wal_lsn()::text"), written);
    } catch (SQLException e) {
      throw sqlFailure("verify " + server, e);
    }
  }

  private Instant canaryWrite(Connection c, String key) throws SQLException {
    String upsert =
        "INSERT INTO "
            + CANARY_TABLE
            + " (run_id) VALUES (?) ON CONFLICT (run_id) DO UPDATE SET written_at = now()";
    try (PreparedStatement s = c.prepareStatement(upsert)) {
      s.setString(1, key);
      s.executeUpdate();
      return clock.instant();
    } catch (SQLException e) {
      if (!"42P01".equals(e.getSQLState())) {
        throw e;
      }
    }
    execute(
        c,
        "CREATE TABLE IF NOT EXISTS "
            + CANARY_TABLE
            + " (run_id text PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())");
    try (PreparedStatement s = c.prepareStatement(upsert)) {
      s.setString(1, key);
      s.executeUpdate();
      return clock.instant();
    }
  }

  // ---- after promotion ---------------------------------------------------------------------

  @Override
  public Repoint repointReplica(RepointInput input) {
    Endpoint to = targets.endpoint(input.target(), input.newPrimary());
    String replica = input.replica();
    try (Connection c = admin(connections.replica(input.target(), replica))) {
      if (!bool(c, "SELECT pg_is_in_recovery()")) {
        return new Repoint(
            replica,
            false,
            false,
            "replica "
                + replica
                + " is not in recovery (it takes writes itself); rebuild it from "
                + input.newPrimary()
                + " with pg_basebackup");
      }
      String current = string(c, "SHOW primary_conninfo");
      if (Conninfo.hasPassword(current)) {
        // Preflight refuses this; a replica changed since must not get its password logged either.
        return new Repoint(
            replica, false, false, Passfiles.refusal(input.target(), List.of(replica)));
      }
      String wanted;
      try {
        wanted = Conninfo.withServer(current, to.host(), to.port());
      } catch (IllegalArgumentException e) {
        return new Repoint(
            replica,
            false,
            false,
            "set primary_conninfo of replica "
                + replica
                + " to reach "
                + to.address()
                + " by hand, then SELECT pg_reload_conf(): "
                + e.getMessage());
      }
      boolean changed = !wanted.equals(current);
      if (changed) {
        alterSystem(c, "primary_conninfo", wanted);
        bool(c, "SELECT pg_reload_conf()");
      }
      boolean streaming = awaitStreaming(c, to.port());
      String detail =
          streaming
              ? replica + " streams from " + input.newPrimary() + " at " + to.address()
              : "replica "
                  + replica
                  + " points at "
                  + to.address()
                  + " but does not stream within "
                  + streamingWait.toSeconds()
                  + " s; read its server log: if it replayed WAL the new primary does not have,"
                  + " rebuild it (pg_rewind or pg_basebackup from "
                  + input.newPrimary()
                  + ")";
      return new Repoint(replica, changed, streaming, detail);
    } catch (SQLException e) {
      throw sqlFailure("repoint replica " + replica, e);
    }
  }

  private boolean awaitStreaming(Connection c, int port) throws SQLException {
    long deadline = System.nanoTime() + streamingWait.toNanos();
    try (PreparedStatement s =
        c.prepareStatement("SELECT status, sender_port FROM pg_stat_wal_receiver")) {
      while (true) {
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next() && "streaming".equals(rs.getString(1)) && rs.getInt(2) == port) {
            return true;
          }
        }
        if (System.nanoTime() > deadline) {
          return false;
        }
        heartbeat(new ActivityProgress("repoint", 0, 0, "checks"));
        sleep(Duration.ofMillis(100));
      }
    }
  }

  @Override
  public Publication publishEndpoint(PublishInput input) {
    FailoverConfig config = targets.settings(input.target());
    Endpoint to = targets.endpoint(input.target(), input.newPrimary());
    String path = config.endpointSecret();
    Map<String, String> record = new LinkedHashMap<>();
    record.put("target", input.target());
    record.put("primary", input.newPrimary());
    record.put("host", to.host());
    record.put("port", Integer.toString(to.port()));
    record.put("database", to.database());
    record.put("sslmode", to.sslmode());
    record.put("timeline", Integer.toString(input.timeline()));
    record.put("runId", input.runId());
    int version = storedVersion(path, input.runId());
    if (version == 0) {
      record.put("publishedAt", clock.instant().toString());
      version = secrets.write(path, record, OptionalInt.empty());
    }
    String hook = "";
    if (!config.hook().isEmpty()) {
      hook = Hooks.run(config.hook(), record, path);
    }
    return new Publication(path, version, to.toString(), hook);
  }

  /** The version of the record this run stored already (a retry), or 0. */
  private int storedVersion(String path, String runId) {
    try {
      Secret latest = secrets.read(SecretRef.latest(path));
      return runId.equals(latest.data().get("runId")) ? latest.version() : 0;
    } catch (SecretNotFoundException e) {
      return 0;
    }
  }

  @Override
  public Rejoin rejoinOldPrimary(RejoinInput input) {
    Endpoint old = targets.endpoint(input.target(), FailoverTargets.PRIMARY);
    Endpoint now = targets.endpoint(input.target(), input.newPrimary());
    List<String> steps = new ArrayList<>();
    String where = "on the old primary's host (" + old.address() + ")";
    if (input.oldPrimaryDown()) {
      steps.add("keep the old primary stopped: it is not fenced and would take writes");
    }
    steps.add(
        where
            + ": pg_ctl -D DATADIR stop -m fast (DATADIR: SHOW data_directory on it, or the"
            + " service's setting)");
    steps.add(
        where
            + ": pg_rewind --target-pgdata=DATADIR --source-server='host="
            + now.host()
            + " port="
            + now.port()
            + " user=SUPERUSER dbname="
            + now.database()
            + "' --write-recovery-conf (it needs wal_log_hints=on or data checksums; otherwise"
            + " rebuild it with pg_basebackup -R from "
            + now.address()
            + ")");
    steps.add(
        where
            + ": remove the lines default_transaction_read_only and "
            + FenceRecord.SETTING
            + " from DATADIR/postgresql.auto.conf, then pg_ctl -D DATADIR start, and check"
            + " that pg_stat_wal_receiver shows it streaming from "
            + now.address());
    steps.add(
        "update targets."
            + input.target()
            + " in runbooks.yaml: primary: "
            + now.address()
            + ", and list the old primary ("
            + old.address()
            + ") under replicas: in place of "
            + input.newPrimary());
    String configStep = steps.get(steps.size() - 1);
    if (!input.attempt()) {
      return new Rejoin(false, "not asked to rejoin (--rejoin); manual steps listed", steps);
    }
    if (input.oldPrimaryDown()) {
      return new Rejoin(false, "not rejoined: the old primary is down; manual steps listed", steps);
    }
    String why;
    try {
      why = rewind(input.target(), input.newPrimary(), now);
    } catch (SQLException | IOException | IllegalStateException e) {
      log.warn("rejoin of the old primary of {} failed: {}", input.target(), e.getMessage());
      why = "the rewind failed: " + e.getMessage();
    }
    if (why == null) {
      return new Rejoin(
          true,
          "rewound with pg_rewind; the old primary streams from " + input.newPrimary(),
          List.of(configStep));
    }
    return new Rejoin(false, "not rejoined: " + why + "; manual steps listed", steps);
  }

  /**
   * Rewinds the old primary and starts it as a replica of {@code now}, when this worker runs on its
   * host. Returns why not, or null when it streams from the new primary. Run again, it finds the
   * old primary streaming already.
   */
  private String rewind(String target, String newPrimary, Endpoint now)
      throws SQLException, IOException {
    if (binaries.isEmpty()) {
      return "the worker has no PostgreSQL server programs (pg_ctl, pg_rewind)";
    }
    Path dataDir;
    try (Connection c = admin(connections.primary(target))) {
      if (bool(c, "SELECT pg_is_in_recovery()")) {
        return awaitStreaming(c, now.port())
            ? null
            : "the old primary is a replica but does not stream from " + now.address();
      }
      dataDir = Path.of(string(c, "SHOW data_directory"));
      String cannot = Rewind.cannot(dataDir);
      if (cannot != null) {
        return cannot;
      }
      if (!bool(
          c,
          "SELECT current_setting('wal_log_hints') = 'on'"
              + " OR current_setting('data_checksums') = 'on'")) {
        return "wal_log_hints is off and the data has no checksums, so pg_rewind cannot run;"
            + " rebuild it with pg_basebackup";
      }
    }
    String streamFrom;
    try (Connection c = admin(connections.replica(target, newPrimary))) {
      // pg_rewind reads the new timeline from the source's control file: write it now.
      execute(c, "CHECKPOINT");
      String conninfo = string(c, "SHOW primary_conninfo");
      streamFrom = conninfo == null || conninfo.isBlank() ? null : conninfo;
    }
    if (streamFrom != null && Conninfo.hasPassword(streamFrom)) {
      return Passfiles.refusal(target, List.of(newPrimary));
    }
    ConnectionSpec login = connections.connectionSpec(target);
    List<Conninfo.Pair> source =
        List.of(
            new Conninfo.Pair("host", now.host()),
            new Conninfo.Pair("port", Integer.toString(now.port())),
            new Conninfo.Pair("user", login.user()),
            new Conninfo.Pair("dbname", now.database()),
            new Conninfo.Pair("sslmode", now.sslmode()));
    String primaryConninfo =
        streamFrom != null
            ? Conninfo.withServer(streamFrom, now.host(), now.port())
            : Conninfo.format(source);
    new Rewind(binaries.get(), dataDir)
        .run(Conninfo.format(source), login.password(), primaryConninfo);
    try (Connection c = connections.primary(target)) {
      return awaitStreaming(c, now.port())
          ? null
          : "the rewound old primary started but does not stream from "
              + now.address()
              + " within "
              + streamingWait.toSeconds()
              + " s; see "
              + dataDir.resolve("runbooks-rejoin.log");
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Our session writes even on a fenced server. */
  private static Connection admin(Connection c) throws SQLException {
    try {
      execute(c, "SET default_transaction_read_only = off");
      return c;
    } catch (SQLException e) {
      c.close();
      throw e;
    }
  }

  /**
   * ALTER SYSTEM accepts only settings the session knows; a custom one is known once it was set
   * here.
   */
  private static void knowSetting(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT set_config(?, '', false)")) {
      s.setString(1, FenceRecord.SETTING);
      s.executeQuery().close();
    }
  }

  private static void alterSystem(Connection c, String name, String value) throws SQLException {
    if (name.equals(FenceRecord.SETTING)) {
      knowSetting(c);
    }
    // Quoted here, not by the server: a bound parameter would be logged beside the statement.
    execute(c, "ALTER SYSTEM SET " + name + " = " + Jdbc.literal(value));
  }

  private static String identifier(Connection c, String name) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT quote_ident(?)")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static int timeline(Connection c) throws SQLException {
    String file =
        string(
            c,
            "SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE"
                + " pg_walfile_name(pg_current_wal_lsn()) END");
    return file == null ? 0 : Integer.parseInt(file.substring(0, 8), 16);
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static boolean bool(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static String string(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private String address(String target, String server) {
    return targets.endpoint(target, server).address();
  }

  private static String message(SQLException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.strip();
  }

  /**
   * Lost connections, shutdowns and lack of resources are retried; a refused privilege or any other
   * error the server gave is permanent.
   */
  private static RuntimeException sqlFailure(String what, SQLException e) {
    String state = e.getSQLState();
    if (state == null
        || state.startsWith("08")
        || state.startsWith("53")
        || state.startsWith("57")
        || state.startsWith("40")) {
      return new IllegalStateException("cannot " + what + ": " + message(e), e);
    }
    if (!"42501".equals(state)) {
      return ApplicationFailure.newNonRetryableFailure(
          "cannot " + what + ": " + message(e) + " (SQLSTATE " + state + ")", "SQL_ERROR");
    }
    return FailureType.PERMISSION_DENIED.failure(
        "cannot "
            + what
            + ": "
            + message(e)
            + ". The failover's admin role must be a superuser (ALTER SYSTEM,"
            + " pg_file_settings, primary_conninfo, ending other roles' sessions).");
  }

  private static void heartbeat(ActivityProgress progress) {
    try {
      Activity.getExecutionContext().heartbeat(progress);
    } catch (IllegalStateException | NullPointerException notInAnActivity) {
      // called outside an activity (a plain test): nobody to tell
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    }
  }
}
