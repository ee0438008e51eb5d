package dev.runbooks.activities.check;

import static dev.runbooks.workflows.check.Severity.WARN;

import dev.runbooks.workflows.check.Figure;
import dev.runbooks.workflows.check.Finding;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Transactions open longer than the configured limit, with who holds them and how to end them. */
final class LongTransactionsCheck {
  static final String NAME = "long-transactions";

  private LongTransactionsCheck() {}

  static List<Finding> run(Connection c, Duration limit) throws SQLException {
    List<Finding> findings = new ArrayList<>();
    OnPrimary.cannotSeeOtherSessions(c, NAME, "transactions").ifPresent(findings::add);
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
      if (found == 0) {
        findings.add(
            Finding.ok(NAME, "no transaction has been open longer than " + Text.duration(limit)));
      }
      int last = findings.size() - 1;
      findings.set(
          last,
          findings.get(last).withFigures(List.of(Figure.of(Figure.LONG_TRANSACTIONS, found))));
      return findings;
    }
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
        NAME,
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
}
