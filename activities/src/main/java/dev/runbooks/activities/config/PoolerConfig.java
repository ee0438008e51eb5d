package dev.runbooks.activities.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A target's {@code failover.pooler:}: the PgBouncer in front of its primary. The switchover pauses
 * it before fencing, points its {@code [databases]} at the new primary (the ini file rewritten,
 * then {@code RELOAD}) and resumes it, so its clients wait instead of failing.
 *
 * @param host where its admin console listens
 * @param port its {@code listen_port}
 * @param admin an {@code admin_users} role: a secret holding {@code username} and {@code password},
 *     or a user that needs no password
 * @param ini its configuration file, which the worker rewrites (it must run on PgBouncer's host)
 */
public record PoolerConfig(String host, int port, AdminConfig admin, Path ini) {
  public PoolerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(ini, "ini");
  }

  /** {@code host:port}. */
  public String address() {
    return host + ":" + port;
  }
}
