package dev.runbooks.activities.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A target's {@code failover:} settings.
 *
 * @param fenceRoles the application roles fencing sets to NOLOGIN; null fences every role that can
 *     log in and is neither a superuser, a replication role nor the admin role
 * @param approval the failover waits for an approval before it changes anything
 * @param catchUpTimeout how long the candidate may take to replay the fenced primary's last WAL
 * @param maxLagBytes the default of {@code --max-lag}
 * @param hook a command (program and arguments, no shell) run after the new endpoint is stored;
 *     empty for none
 * @param endpointSecret where the new endpoint is stored in the secret store
 * @param pooler the PgBouncer a switchover pauses, repoints and resumes; null for none
 */
public record FailoverConfig(
    List<String> fenceRoles,
    boolean approval,
    Duration catchUpTimeout,
    long maxLagBytes,
    List<String> hook,
    String endpointSecret,
    PoolerConfig pooler) {
  public static final Duration DEFAULT_CATCH_UP_TIMEOUT = Duration.ofSeconds(60);
  public static final long DEFAULT_MAX_LAG_BYTES = 16L * 1024 * 1024;

  public FailoverConfig {
    fenceRoles = fenceRoles == null ? null : List.copyOf(fenceRoles);
    Objects.requireNonNull(catchUpTimeout, "catchUpTimeout");
    hook = List.copyOf(hook);
    Objects.requireNonNull(endpointSecret, "endpointSecret");
  }

  /** Without a pooler. */
  public FailoverConfig(
      List<String> fenceRoles,
      boolean approval,
      Duration catchUpTimeout,
      long maxLagBytes,
      List<String> hook,
      String endpointSecret) {
    this(fenceRoles, approval, catchUpTimeout, maxLagBytes, hook, endpointSecret, null);
  }

  /** Where a target's endpoint is stored unless configured: {@code runbooks/endpoints/TARGET}. */
  public static String defaultEndpointSecret(String target) {
    return "runbooks/endpoints/" + target;
  }

  public static FailoverConfig defaults(String target) {
    return new FailoverConfig(
        null,
        false,
        DEFAULT_CATCH_UP_TIMEOUT,
        DEFAULT_MAX_LAG_BYTES,
        List.of(),
        defaultEndpointSecret(target));
  }
}
