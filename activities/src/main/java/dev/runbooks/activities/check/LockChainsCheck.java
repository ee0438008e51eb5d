package dev.runbooks.activities.check;

import static dev.runbooks.workflows.check.Severity.CRITICAL;
import static dev.runbooks.workflows.check.Severity.WARN;

import dev.runbooks.workflows.check.Figure;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Severity;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Sessions waiting on locks other sessions hold, grouped into chains from the root blocker. */
final class LockChainsCheck {
  static final String NAME = "lock-chains";

  /** A session that has waited on a lock this long is CRITICAL: something upstream has stalled. */
  static final Duration LOCK_WAIT_CRITICAL = Duration.ofMinutes(5);

  private LockChainsCheck() {}

  static List<Finding> run(Connection c) throws SQLException {
    List<Finding> findings = new ArrayList<>();
    OnPrimary.cannotSeeOtherSessions(c, NAME, "queries").ifPresent(findings::add);
    List<LockChains.Session> sessions = blockedAndBlocking(c);
    List<LockChains.Chain> chains = LockChains.chains(sessions);
    for (LockChains.Chain chain : chains) {
      findings.add(lockChain(chain));
    }
    if (chains.isEmpty()) {
      findings.add(Finding.ok(NAME, "no session waits on a lock another session holds"));
    }
    long waiting = sessions.stream().filter(s -> !s.blockers().isEmpty()).count();
    int last = findings.size() - 1;
    findings.set(
        last,
        findings
            .get(last)
            .withFigures(
                List.of(Figure.of(Figure.LOCK_WAITS, waiting), HealthFigures.deadlocks(c))));
    return findings;
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
    return new Finding(NAME, severity, summary.toString(), advice, details);
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
}
