package dev.runbooks.workflows.failover;

import java.util.Optional;

/**
 * What the failover's result says about the old primary: what the rejoin step read back from it,
 * never what the run expected, and a warning with the next step when a rejoin that was asked for
 * did not happen.
 */
final class RejoinReport {
  private RejoinReport() {}

  static String oldPrimaryState(String oldPrimary, boolean planned, Rejoin rejoin) {
    Optional<ServerState> read =
        rejoin.servers().stream().filter(s -> s.name().equals(oldPrimary)).findFirst();
    if (read.isEmpty()) {
      return "unknown: it was not read back ("
          + rejoin.detail()
          + "); check it: SELECT pg_is_in_recovery(), current_setting('runbooks.fence', true)";
    }
    ServerState s = read.get();
    if (!planned) {
      return s.running()
          ? s.describe()
              + "; it came back and is NOT fenced: stop it now (pg_ctl stop -m fast),"
              + " two servers take writes"
          : "down ("
              + s.describe()
              + "); it is NOT fenced, keep it stopped until it is rejoined"
              + " or rebuilt";
    }
    if (rejoin.rejoined()) {
      return s.describe() + " (rewound)";
    }
    return s.describe()
        + (s.running() ? "; it stays so until rejoined or rebuilt" : "; keep it stopped");
  }

  /** Null unless a rejoin was asked for and did not happen. */
  static String warning(String newPrimary, String oldPrimaryState, Rejoin rejoin) {
    if (!rejoin.failed()) {
      return null;
    }
    return "The switchover itself succeeded: "
        + newPrimary
        + " is the primary and takes writes. The rejoin of the old primary FAILED: "
        + rejoin.detail()
        + ". The old primary is "
        + oldPrimaryState
        + "."
        + (rejoin.manualSteps().isEmpty() ? "" : " Next step: " + rejoin.manualSteps().get(0));
  }
}
