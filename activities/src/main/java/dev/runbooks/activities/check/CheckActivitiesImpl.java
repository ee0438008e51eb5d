package dev.runbooks.activities.check;

import static dev.runbooks.workflows.check.Severity.CRITICAL;
import static dev.runbooks.workflows.check.Severity.OK;
import static dev.runbooks.workflows.check.Severity.WARN;

import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.check.CheckActivities;
import dev.runbooks.workflows.check.CheckInput;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Findings;
import dev.runbooks.workflows.check.Severity;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check runbook's read-only health checks against a target's PostgreSQL servers. A check that
 * finds a problem reports it as a finding rather than failing: the report is what the on-call
 * engineer needs, and an unreachable server is itself a finding. Only a refused login fails the
 * activity, as a non-retryable AUTHENTICATION failure.
 */
public final class CheckActivitiesImpl implements CheckActivities {
  static final String CONNECTIVITY = "connectivity";
  static final String PRIVILEGES = "privileges";
  static final String DATABASE_SIZE = "database-size";
  static final String REPLICAS = "replicas";
  static final String LONG_TRANSACTIONS = "long-transactions";
  static final String LOCK_CHAINS = "lock-chains";
  static final String CONNECTIONS = "connections";
  static final String SLOW_STATEMENTS = "slow-statements";

  /** A session that has waited on a lock this long is CRITICAL: something upstream has stalled. */
  static final Duration LOCK_WAIT_CRITICAL = Duration.ofMinutes(5);

  static final int SLOWEST = 5;

  private static final Logger log = LoggerFactory.getLogger(CheckActivitiesImpl.class);

  private final TargetConnections connections;
  private final CheckThresholds thresholds;

  public CheckActivitiesImpl(TargetConnections connections, CheckThresholds thresholds) {
    this.connections = Objects.requireNonNull(connections, "connections");
    this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
  }

  @Override
  public Findings checkConnectivity(CheckInput input) {
    String target = input.target();
    String where = connections.describe(target);
    Connection c;
    try {
      c = openPrimary(target);
    } catch (SQLException e) {
      log.warn("Cannot connect to the primary of {} at {}: {}", target, where, Text.cause(e));
      return Findings.of(
          new Finding(
              CONNECTIVITY,
              CRITICAL,
              "cannot connect to the primary of " + target + " at " + where + ": " + Text.cause(e),
              "Check that PostgreSQL runs at "
                  + where
                  + " and accepts connections from this worker (listen_addresses, pg_hba.conf,"
                  + " firewall); the other checks need it too",
              List.of()));
    }
    try (c;
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT current_setting('server_version'), pg_is_in_recovery(),"
                    + " extract(epoch FROM now() - pg_postmaster_start_time()),"
                    + " pg_postmaster_start_time(), current_database(), current_user")) {
      rs.next();
      String version = rs.getString(1);
      boolean inRecovery = rs.getBoolean(2);
      Duration uptime = Text.seconds(rs.getDouble(3));
      List<String> details =
          List.of(
              "server_version: " + version,
              "in recovery: " + (inRecovery ? "yes (a standby)" : "no"),
              "up " + Text.duration(uptime) + ", since " + rs.getString(4),
              "connected to database " + rs.getString(5) + " as " + rs.getString(6));
      if (inRecovery) {
        return Findings.of(
            new Finding(
                CONNECTIVITY,
                CRITICAL,
                "the primary of "
                    + target
                    + " at "
                    + where
                    + " is in recovery: it is a standby, not a primary (PostgreSQL "
                    + version
                    + ")",
                "Point target "
                    + target
                    + "'s primary at the server that accepts writes in the configuration; if the"
                    + " primary is gone, promote a replica with: runbook failover --target "
                    + target,
                details));
      }
      return Findings.of(
          new Finding(
              CONNECTIVITY,
              OK,
              "connected to the primary of "
                  + target
                  + " at "
                  + where
                  + ": PostgreSQL "
                  + version
                  + ", not in recovery, up "
                  + Text.duration(uptime),
              "",
              details));
    } catch (SQLException e) {
      return Findings.of(failed(CONNECTIVITY, target, e));
    }
  }

  @Override
  public Findings checkPrivileges(CheckInput input) {
    return onPrimary(
        PRIVILEGES,
        input,
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery(
                      "SELECT quote_ident(r.rolname), r.rolsuper, r.rolcreaterole,"
                          + " r.rolreplication,"
                          + " pg_has_role(current_user, 'pg_monitor', 'USAGE')"
                          + " OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')"
                          + " FROM pg_roles r WHERE r.rolname = current_user")) {
            rs.next();
            String role = rs.getString(1);
            if (rs.getBoolean(2)) {
              return List.of(
                  Finding.ok(
                      PRIVILEGES,
                      "admin role "
                          + role
                          + " is a superuser: it has every privilege the runbooks"
                          + " need"));
            }
            List<String> missing = new ArrayList<>();
            List<String> alter = new ArrayList<>();
            List<String> details = new ArrayList<>();
            if (!rs.getBoolean(3)) {
              missing.add("CREATEROLE");
              alter.add("CREATEROLE");
              details.add("CREATEROLE: credential rotation changes login roles' passwords");
            }
            if (!rs.getBoolean(4)) {
              missing.add("REPLICATION");
              alter.add("REPLICATION");
              details.add(
                  "REPLICATION: replication connections (pg_basebackup) that build and rebuild"
                      + " replicas");
            }
            boolean monitor = rs.getBoolean(5);
            if (!monitor) {
              missing.add("pg_monitor");
              details.add(
                  "pg_monitor (or pg_read_all_stats): reading every session in pg_stat_activity"
                      + " and replication statistics (pg_stat_replication, pg_stat_wal_receiver)");
            }
            if (missing.isEmpty()) {
              return List.of(
                  Finding.ok(
                      PRIVILEGES,
                      "admin role " + role + " has CREATEROLE, REPLICATION and pg_monitor"));
            }
            List<String> statements = new ArrayList<>();
            if (!alter.isEmpty()) {
              statements.add("ALTER ROLE " + role + " " + String.join(" ", alter) + ";");
            }
            if (!monitor) {
              statements.add("GRANT pg_monitor TO " + role + ";");
            }
            return List.of(
                new Finding(
                    PRIVILEGES,
                    WARN,
                    "admin role " + role + " lacks " + String.join(", ", missing),
                    "As a superuser, run: " + String.join(" ", statements),
                    details));
          }
        });
  }

  @Override
  public Findings checkDatabaseSize(CheckInput input) {
    return onPrimary(
        DATABASE_SIZE,
        input,
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery(
                      "SELECT current_database(), pg_database_size(current_database())")) {
            rs.next();
            String database = rs.getString(1);
            long bytes = rs.getLong(2);
            return List.of(
                new Finding(
                    DATABASE_SIZE,
                    OK,
                    "database " + database + " is " + Text.bytes(bytes),
                    "",
                    List.of("pg_database_size: " + bytes + " bytes")));
          }
        });
  }

  @Override
  public Findings checkReplicas(CheckInput input) {
    String target = input.target();
    List<String> replicas = connections.replicaNames(target);
    if (replicas.isEmpty()) {
      return Findings.of(Finding.ok(REPLICAS, "no replicas are configured for target " + target));
    }
    return new Findings(new ReplicaCheck(connections, thresholds, target).run(replicas));
  }

  @Override
  public Findings checkLongTransactions(CheckInput input) {
    Duration limit = input.longTransaction();
    return onPrimary(
        LONG_TRANSACTIONS,
        input,
        c -> {
          List<Finding> findings = new ArrayList<>();
          cannotSeeOtherSessions(c, LONG_TRANSACTIONS, "transactions").ifPresent(findings::add);
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT a.pid, a.usename, quote_ident(a.usename), a.application_name,"
                      + " host(a.client_addr), a.state,"
                      + " extract(epoch FROM now() - a.xact_start),"
                      + " extract(epoch FROM now() - a.state_change),"
                      + " a.xact_start, a.backend_xmin::text, a.query"
                      + " FROM pg_stat_activity a"
                      + " WHERE a.backend_type = 'client backend'"
                      + " AND a.pid <> pg_backend_pid()"
                      + " AND a.xact_start < now() - make_interval(secs => ?)"
                      + " ORDER BY a.xact_start")) {
            s.setDouble(1, limit.toNanos() / 1e9);
            int found = 0;
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                findings.add(longTransaction(rs));
                found++;
              }
            }
            if (found > 0) {
              return findings;
            }
          }
          findings.add(
              Finding.ok(
                  LONG_TRANSACTIONS,
                  "no transaction has been open longer than " + Text.duration(limit)));
          return findings;
        });
  }

  private static Finding longTransaction(ResultSet rs) throws SQLException {
    int pid = rs.getInt(1);
    String user = rs.getString(2);
    String quotedUser = rs.getString(3);
    String application = rs.getString(4);
    String client = rs.getString(5);
    String state = rs.getString(6);
    Duration age = Text.seconds(rs.getDouble(7));
    Duration inState = Text.seconds(rs.getDouble(8));
    String xmin = rs.getString(10);
    boolean idle = state != null && state.startsWith("idle in transaction");
    List<String> details = new ArrayList<>();
    details.add("query: " + Text.query(rs.getString(11), Text.QUERY_CHARS));
    details.add("transaction started " + rs.getString(9));
    details.add("state: " + state + " for " + Text.duration(inState));
    if (client != null) {
      details.add("client: " + client);
    }
    if (xmin != null) {
      details.add("holds back vacuum: backend_xmin " + xmin);
    }
    String advice =
        idle
            ? "The session is idle in its transaction: ask its owner to commit or roll back, or"
                + " end it with SELECT pg_terminate_backend("
                + pid
                + "); set idle_in_transaction_session_timeout (e.g. ALTER ROLE "
                + quotedUser
                + " SET idle_in_transaction_session_timeout = '5min') so such sessions end on"
                + " their own"
            : "If pid "
                + pid
                + " should not run this long, cancel its query with SELECT pg_cancel_backend("
                + pid
                + ") or end its session with SELECT pg_terminate_backend("
                + pid
                + ")";
    return new Finding(
        LONG_TRANSACTIONS,
        WARN,
        "pid "
            + pid
            + " (user "
            + user
            + ", application "
            + (application == null || application.isEmpty() ? "unnamed" : application)
            + ") has had a transaction open for "
            + Text.duration(age)
            + ", "
            + state
            + (idle ? " for " + Text.duration(inState) : ""),
        advice,
        details);
  }

  @Override
  public Findings checkLockChains(CheckInput input) {
    return onPrimary(
        LOCK_CHAINS,
        input,
        c -> {
          List<Finding> findings = new ArrayList<>();
          cannotSeeOtherSessions(c, LOCK_CHAINS, "queries").ifPresent(findings::add);
          List<LockChains.Chain> chains = LockChains.chains(blockedAndBlocking(c));
          for (LockChains.Chain chain : chains) {
            findings.add(lockChain(chain));
          }
          if (chains.isEmpty()) {
            findings.add(
                Finding.ok(LOCK_CHAINS, "no session waits on a lock another session holds"));
          }
          return findings;
        });
  }

  private static List<LockChains.Session> blockedAndBlocking(Connection c) throws SQLException {
    // pg_locks.waitstart (PostgreSQL 14) says when the lock wait began; before, query_start is
    // the best estimate.
    String waitStart =
        Sql.serverVersionNum(c) >= 140000
            ? "coalesce((SELECT min(l.waitstart) FROM pg_locks l"
                + " WHERE l.pid = a.pid AND NOT l.granted), a.query_start)"
            : "a.query_start";
    String sql =
        "WITH blocked AS ("
            + " SELECT pid, blockers FROM ("
            + "  SELECT pid, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity) s"
            + " WHERE cardinality(blockers) > 0)"
            + " SELECT a.pid, b.blockers, a.usename, a.application_name, a.state,"
            + " a.wait_event_type || ':' || a.wait_event,"
            + " CASE WHEN b.pid IS NOT NULL THEN extract(epoch FROM now() - "
            + waitStart
            + ") END,"
            + " extract(epoch FROM now() - a.xact_start), a.query"
            + " FROM pg_stat_activity a LEFT JOIN blocked b ON b.pid = a.pid"
            + " WHERE b.pid IS NOT NULL"
            + " OR a.pid IN (SELECT unnest(x.blockers) FROM blocked x)"
            + " ORDER BY a.pid";
    List<LockChains.Session> sessions = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        sessions.add(
            new LockChains.Session(
                rs.getInt(1),
                pids(rs.getArray(2)),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                nullableSeconds(rs, 7),
                nullableSeconds(rs, 8),
                rs.getString(9)));
      }
    }
    return sessions;
  }

  private static List<Integer> pids(Array array) throws SQLException {
    if (array == null) {
      return List.of();
    }
    try {
      return Arrays.stream((Object[]) array.getArray()).map(o -> ((Number) o).intValue()).toList();
    } finally {
      array.free();
    }
  }

  private static Duration nullableSeconds(ResultSet rs, int column) throws SQLException {
    double seconds = rs.getDouble(column);
    return rs.wasNull() ? null : Text.seconds(seconds);
  }

  private static Finding lockChain(LockChains.Chain chain) {
    StringBuilder summary = new StringBuilder();
    List<String> details = new ArrayList<>();
    for (LockChains.Session s : chain.sessions()) {
      if (summary.length() > 0) {
        summary.append(" waits on ");
      }
      summary
          .append("pid ")
          .append(s.pid())
          .append(" (")
          .append(Text.query(s.query(), Text.SHORT_QUERY_CHARS))
          .append(')');
      details.add(describe(s));
    }
    Duration waited = chain.longestWait();
    LockChains.Session root = chain.root();
    if (chain.cycle()) {
      summary
          .append(", which waits on pid ")
          .append(root.blockers().get(0))
          .append(" again (a deadlock)");
    }
    summary.append(" for ").append(Text.duration(waited));
    boolean idle = root.state() != null && root.state().startsWith("idle");
    String advice =
        chain.cycle()
            ? "These sessions wait on each other and the server has not broken the deadlock yet"
                + " (see deadlock_timeout): end one of them, e.g. SELECT pg_terminate_backend("
                + root.pid()
                + ")"
            : "Root blocker: pid "
                + root.pid()
                + (root.user() == null ? "" : " (user " + root.user() + ", " + root.state() + ")")
                + (idle
                    ? "; it holds its locks while it sits idle: ask its owner to finish, or end"
                        + " it with SELECT pg_terminate_backend("
                        + root.pid()
                        + ")"
                    : "; if it cannot finish soon, cancel its query with SELECT pg_cancel_backend("
                        + root.pid()
                        + ") or end its session with SELECT pg_terminate_backend("
                        + root.pid()
                        + ")");
    Severity severity = waited.compareTo(LOCK_WAIT_CRITICAL) > 0 ? CRITICAL : WARN;
    return new Finding(LOCK_CHAINS, severity, summary.toString(), advice, details);
  }

  private static String describe(LockChains.Session s) {
    StringBuilder line = new StringBuilder("pid ").append(s.pid()).append(':');
    if (s.user() != null) {
      line.append(" user ").append(s.user()).append(',');
    }
    if (s.application() != null && !s.application().isEmpty()) {
      line.append(" application ").append(s.application()).append(',');
    }
    if (s.state() != null) {
      line.append(' ').append(s.state()).append(',');
    }
    if (s.waiting() != null) {
      line.append(" waiting");
      if (s.waitEvent() != null) {
        line.append(" on ").append(s.waitEvent());
      }
      line.append(" for ").append(Text.duration(s.waiting())).append(',');
    }
    if (s.blockers().size() > 1) {
      line.append(" blocked by pids ").append(s.blockers()).append(',');
    }
    if (s.transactionAge() != null) {
      line.append(" transaction open ").append(Text.duration(s.transactionAge())).append(',');
    }
    line.setLength(line.length() - (line.charAt(line.length() - 1) == ',' ? 1 : 0));
    return line.append(": ").append(Text.query(s.query(), Text.QUERY_CHARS)).toString();
  }

  @Override
  public Findings checkConnections(CheckInput input) {
    return onPrimary(
        CONNECTIONS,
        input,
        c -> {
          int max;
          int reserved;
          boolean seesAll;
          long clientBackends;
          long databaseBackends;
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery(
                      "SELECT current_setting('max_connections')::int,"
                          + " current_setting('superuser_reserved_connections')::int,"
                          + " pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'),"
                          + " (SELECT count(*) FROM pg_stat_activity"
                          + "  WHERE backend_type = 'client backend'),"
                          + " (SELECT coalesce(sum(numbackends), 0) FROM pg_stat_database)")) {
            rs.next();
            max = rs.getInt(1);
            reserved = rs.getInt(2);
            seesAll = rs.getBoolean(3);
            clientBackends = rs.getLong(4);
            databaseBackends = rs.getLong(5);
          }
          // Without pg_read_all_stats other sessions' backend_type is hidden; pg_stat_database
          // still counts every backend connected to a database.
          long used = seesAll ? clientBackends : databaseBackends;
          int available = Math.max(1, max - reserved);
          double percent = used * 100.0 / available;
          List<String> details = new ArrayList<>();
          details.add(
              "max_connections "
                  + max
                  + ", superuser_reserved_connections "
                  + reserved
                  + ": "
                  + available
                  + " for ordinary roles");
          if (seesAll) {
            details.addAll(connectionBreakdown(c));
          } else {
            details.add(
                "counted from pg_stat_database.numbackends: this role cannot see other sessions'"
                    + " details (GRANT pg_monitor to show them)");
          }
          Severity severity =
              percent >= thresholds.connectionsCriticalPercent()
                  ? CRITICAL
                  : percent >= thresholds.connectionsWarnPercent() ? WARN : OK;
          String summary =
              used
                  + " of "
                  + available
                  + " connections in use ("
                  + Math.round(percent)
                  + "%)"
                  + (severity == OK
                      ? ""
                      : ", at or above the "
                          + (severity == CRITICAL
                              ? thresholds.connectionsCriticalPercent()
                              : thresholds.connectionsWarnPercent())
                          + "% threshold");
          String advice =
              severity == OK
                  ? ""
                  : "Find what holds the connections (details; pg_stat_activity), end idle ones"
                      + " or put a pooler such as PgBouncer in front; raising max_connections"
                      + " needs a restart";
          return List.of(new Finding(CONNECTIONS, severity, summary, advice, details));
        });
  }

  private static List<String> connectionBreakdown(Connection c) throws SQLException {
    List<String> lines = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity"
                    + " WHERE backend_type = 'client backend' GROUP BY 1 ORDER BY 2 DESC, 1")) {
      StringBuilder states = new StringBuilder("by state:");
      while (rs.next()) {
        states.append(' ').append(rs.getString(1)).append(' ').append(rs.getLong(2)).append(',');
      }
      lines.add(states.substring(0, states.length() - 1));
    }
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT coalesce(datname, '-'), coalesce(usename, '-'), count(*)"
                    + " FROM pg_stat_activity WHERE backend_type = 'client backend'"
                    + " GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 5")) {
      while (rs.next()) {
        lines.add(
            "database "
                + rs.getString(1)
                + ", user "
                + rs.getString(2)
                + ": "
                + rs.getLong(3)
                + " connections");
      }
    }
    return lines;
  }

  @Override
  public Findings checkSlowStatements(CheckInput input) {
    return onPrimary(
        SLOW_STATEMENTS,
        input,
        c -> {
          String database = Sql.string(c, "SELECT current_database()").orElseThrow();
          Optional<String> schema =
              Sql.string(
                  c,
                  "SELECT quote_ident(n.nspname) FROM pg_extension e"
                      + " JOIN pg_namespace n ON n.oid = e.extnamespace"
                      + " WHERE e.extname = 'pg_stat_statements'");
          Optional<String> preload = preloadLibraries(c);
          boolean preloaded = preload.map(CheckActivitiesImpl::preloadsStatements).orElse(false);
          if (schema.isEmpty()) {
            return List.of(
                new Finding(
                    SLOW_STATEMENTS,
                    OK,
                    "pg_stat_statements is not installed in database "
                        + database
                        + ", so the slowest statements are unknown",
                    preloaded
                        ? "To see them, run as a superuser in database "
                            + database
                            + ": CREATE EXTENSION pg_stat_statements;"
                        : "To see them, set "
                            + preloadSetting(preload)
                            + " in postgresql.conf, restart PostgreSQL, then run in database "
                            + database
                            + ": CREATE EXTENSION pg_stat_statements;",
                    List.of(
                        "shared_preload_libraries: "
                            + preload
                                .map(p -> "'" + p + "'")
                                .orElse("(not visible to this role)"))));
          }
          List<Finding> findings = new ArrayList<>();
          List<String> slowest;
          try {
            slowest = slowest(c, schema.get());
          } catch (SQLException e) {
            if (!"55000".equals(e.getSQLState())) {
              throw e;
            }
            return List.of(
                new Finding(
                    SLOW_STATEMENTS,
                    WARN,
                    "pg_stat_statements is installed in database "
                        + database
                        + " but its library is not loaded: "
                        + Text.oneLine(e.getMessage(), 200),
                    "Set "
                        + preloadSetting(preload)
                        + " in postgresql.conf and restart PostgreSQL; the extension itself is"
                        + " already created",
                    List.of(
                        "shared_preload_libraries: "
                            + preload
                                .map(p -> "'" + p + "'")
                                .orElse("(not visible to this role)"))));
          }
          cannotSeeOtherSessions(c, SLOW_STATEMENTS, "statements").ifPresent(findings::add);
          findings.add(
              new Finding(
                  SLOW_STATEMENTS,
                  OK,
                  slowest.isEmpty()
                      ? "pg_stat_statements has recorded no statements in database "
                          + database
                          + " yet"
                      : "the "
                          + slowest.size()
                          + " statements with the highest mean execution time in database "
                          + database
                          + " (pg_stat_statements)",
                  "",
                  slowest));
          return findings;
        });
  }

  /** Up to {@link #SLOWEST} lines: rank, mean, calls, total, query. */
  private static List<String> slowest(Connection c, String schema) throws SQLException {
    try {
      return slowest(c, schema, "mean_exec_time", "total_exec_time");
    } catch (SQLException e) {
      // pg_stat_statements before 1.8 (PostgreSQL 12 and older) names them mean_time, total_time.
      if (!"42703".equals(e.getSQLState())) {
        throw e;
      }
      return slowest(c, schema, "mean_time", "total_time");
    }
  }

  private static List<String> slowest(Connection c, String schema, String mean, String total)
      throws SQLException {
    String sql =
        "SELECT calls, "
            + mean
            + ", "
            + total
            + ", query FROM "
            + schema
            + ".pg_stat_statements"
            + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " ORDER BY "
            + mean
            + " DESC LIMIT "
            + SLOWEST;
    List<String> lines = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        lines.add(
            (lines.size() + 1)
                + ". mean "
                + Text.millis(rs.getDouble(2))
                + ", calls "
                + rs.getLong(1)
                + ", total "
                + Text.millis(rs.getDouble(3))
                + ": "
                + Text.query(rs.getString(4), Text.QUERY_CHARS));
      }
    }
    return lines;
  }

  /** shared_preload_libraries, or empty when this role may not read it (pg_read_all_settings). */
  private static Optional<String> preloadLibraries(Connection c) throws SQLException {
    try {
      return Sql.string(c, "SELECT current_setting('shared_preload_libraries')");
    } catch (SQLException e) {
      if (Sql.privilegeMissing(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static boolean preloadsStatements(String libraries) {
    return libraries(libraries).contains("pg_stat_statements");
  }

  private static List<String> libraries(String libraries) {
    return Arrays.stream(libraries.split(","))
        .map(l -> l.strip().replace("\"", ""))
        .filter(l -> !l.isEmpty())
        .toList();
  }

  /** The shared_preload_libraries line to write, keeping the libraries already loaded. */
  private static String preloadSetting(Optional<String> current) {
    List<String> libraries =
        new ArrayList<>(current.map(CheckActivitiesImpl::libraries).orElse(List.of()));
    if (!libraries.contains("pg_stat_statements")) {
      libraries.add("pg_stat_statements");
    }
    String line = "shared_preload_libraries = '" + String.join(",", libraries) + "'";
    return current.isPresent() ? line : line + " (add any libraries already listed there)";
  }

  /**
   * A WARN when the admin role sees only its own sessions' details: pg_stat_activity and the
   * replication views hide other roles' queries and states without pg_read_all_stats.
   */
  static Optional<Finding> cannotSeeOtherSessions(Connection c, String check, String what)
      throws SQLException {
    if (Sql.bool(c, "SELECT pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')")) {
      return Optional.empty();
    }
    String role = Sql.quotedCurrentUser(c);
    return Optional.of(
        new Finding(
            check,
            WARN,
            "admin role " + role + " sees only its own sessions' " + what + ", not other roles'",
            "As a superuser, run: GRANT pg_monitor TO " + role + ";",
            List.of()));
  }

  @FunctionalInterface
  private interface SqlWork {
    List<Finding> run(Connection c) throws SQLException;
  }

  /** Runs one check on a fresh primary connection, turning SQL errors into findings. */
  private Findings onPrimary(String check, CheckInput input, SqlWork work) {
    String target = input.target();
    Connection c;
    try {
      c = openPrimary(target);
    } catch (SQLException e) {
      return Findings.of(
          new Finding(
              check,
              CRITICAL,
              "cannot connect to the primary of "
                  + target
                  + " at "
                  + connections.describe(target)
                  + ": "
                  + Text.cause(e),
              "Bring the primary back or fix the connection first (see the connectivity check),"
                  + " then check again",
              List.of()));
    }
    try (c) {
      return new Findings(work.run(c));
    } catch (SQLException e) {
      return Findings.of(failed(check, target, e));
    }
  }

  private Connection openPrimary(String target) throws SQLException {
    try {
      return Sql.prepare(connections.primary(target));
    } catch (SQLException e) {
      throw Sql.authenticationOr(
          e, "the primary of " + target + " at " + connections.describe(target));
    }
  }

  /** A check query that failed: what it means, and what to do about it. */
  private Finding failed(String check, String target, SQLException e) {
    log.warn("Check {} of {} failed: {}", check, target, Text.cause(e));
    if (Sql.privilegeMissing(e)) {
      return new Finding(
          check,
          WARN,
          "the admin role lacks a privilege this check needs: " + Text.cause(e),
          "Grant the admin role pg_monitor (GRANT pg_monitor TO <admin role>;) or run the check"
              + " as a role that has it",
          List.of());
    }
    if (Sql.timedOut(e)) {
      return new Finding(
          check,
          WARN,
          "the check's query did not finish within the "
              + Text.duration(Sql.STATEMENT_TIMEOUT)
              + " statement timeout",
          "The server may be overloaded or blocked: look at pg_stat_activity and the server log,"
              + " then check again",
          List.of(Text.cause(e)));
    }
    if (Sql.connectionLost(e)) {
      return new Finding(
          check,
          CRITICAL,
          "lost the connection to the primary of "
              + target
              + " at "
              + connections.describe(target)
              + " during the check: "
              + Text.cause(e),
          "Look at the server log for a crash or restart, then check again",
          List.of());
    }
    return new Finding(
        check,
        WARN,
        "the check could not complete: " + Text.cause(e),
        "Check again; if it keeps failing, look at the server log for the statement's error",
        List.of());
  }
}
