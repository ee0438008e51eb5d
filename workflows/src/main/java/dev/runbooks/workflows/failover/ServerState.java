package dev.runbooks.workflows.failover;

import java.util.Objects;

/**
 * One server of the target as the failover read it from the server itself at the end of the run:
 * never what the run assumes it did.
 *
 * @param name the configured name ({@code primary} for the configured primary)
 * @param address host:port, as the worker reaches it
 * @param status {@code running}, {@code stopped} (its data directory is on the worker's host and no
 *     server runs there), or {@code not answering: } and the connection's error
 * @param inRecovery whether it is a replica; null when it does not answer
 * @param following whom its WAL receiver streams from (a configured name, else host:port); empty
 *     when it has no WAL receiver
 * @param receiver the WAL receiver's status ({@code streaming}, {@code waiting}, ...); empty when
 *     none
 * @param fence the failover's fence on it, e.g. {@code fenced by RUN: read-only, roles app
 *     NOLOGIN}; empty when it is not fenced
 */
public record ServerState(
    String name,
    String address,
    String status,
    Boolean inRecovery,
    String following,
    String receiver,
    String fence) {
  public static final String RUNNING = "running";
  public static final String STOPPED = "stopped";

  public ServerState {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(status, "status");
    following = following == null ? "" : following;
    receiver = receiver == null ? "" : receiver;
    fence = fence == null ? "" : fence;
  }

  public boolean running() {
    return RUNNING.equals(status);
  }

  /** Whether it streams from {@code server} (a configured name). */
  public boolean streamsFrom(String server) {
    return running()
        && Boolean.TRUE.equals(inRecovery)
        && "streaming".equals(receiver)
        && following.equals(server);
  }

  /** One line for a person, e.g. "running as a replica of db2, streaming". */
  public String describe() {
    if (!running()) {
      return status;
    }
    String role;
    if (!Boolean.TRUE.equals(inRecovery)) {
      role = fence.isEmpty() ? "running as a primary, takes writes" : "running, not in recovery";
    } else if (following.isEmpty()) {
      role = "running as a replica without a WAL receiver: it streams from nobody";
    } else {
      role = "running as a replica of " + following + ", " + receiver;
    }
    return role + (fence.isEmpty() ? "" : ", " + fence);
  }
}
