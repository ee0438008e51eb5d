package dev.runbooks.activities.check;

import static dev.runbooks.workflows.check.Severity.CRITICAL;
import static dev.runbooks.workflows.check.Severity.WARN;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.ResolvedTopology;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.check.CheckInput;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Findings;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a check's queries on a fresh connection to a target's primary and turns SQL errors into
 * findings: a check that cannot run is itself something the on-call engineer needs to know.
 */
final class OnPrimary {
  private static final Logger log = LoggerFactory.getLogger(OnPrimary.class);

  private final TargetConnections connections;

  OnPrimary(TargetConnections connections) {
    this.connections = Objects.requireNonNull(connections, "connections");
  }

  /** Which member is the primary now, and how that was decided. */
  ResolvedTopology topology(String target) {
    return connections.topology(target);
  }

  /** Where the target's primary is, for messages. */
  String describe(String target) {
    return connections.describe(target);
  }

  /**
   * A WARN when the admin role sees only its own sessions' details: pg_stat_activity and the
   * replication views hide other roles' queries and states without pg_read_all_stats.
   */
  static Optional<Finding> cannotSeeOtherSessions(Connection c, String check, String what)
      throws SQLException {
    if (Jdbc.bool(c, "SELECT pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')")) {
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
  interface SqlWork {
    List<Finding> run(Connection c) throws SQLException;
  }

  /** Runs one check on a fresh primary connection, turning SQL errors into findings. */
  Findings run(String check, CheckInput input, SqlWork work) {
    String target = input.target();
    Connection c;
    try {
      c = open(target);
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

  Connection open(String target) throws SQLException {
    try {
      return Sql.prepare(connections.primary(target));
    } catch (SQLException e) {
      throw Sql.authenticationOr(
          e, "the primary of " + target + " at " + connections.describe(target));
    }
  }

  /** A check query that failed: what it means, and what to do about it. */
  Finding failed(String check, String target, SQLException e) {
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
