package dev.runbooks.activities.failover;

import dev.runbooks.activities.config.AdminConfig;
import dev.runbooks.activities.config.PoolerConfig;
import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.activities.secrets.SecretNotFoundException;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.pgtools.PgBouncerConsole;
import dev.runbooks.workflows.shared.FailureType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The admin console of a target's {@code failover.pooler}, as its configured admin user: the
 * switchover's pooler stage and the check's pooler finding reach PgBouncer the same way.
 */
public final class PoolerConsoles {
  private PoolerConsoles() {}

  /**
   * @param binaries psql from the worker's PostgreSQL programs; psql from PATH when empty
   * @param timeout how long one console command may take, connecting included
   */
  public static PgBouncerConsole open(
      PoolerConfig pooler, SecretStore secrets, Optional<PgBinaries> binaries, Duration timeout) {
    String user = pooler.admin().user();
    String password = null;
    if (user == null) {
      Secret secret;
      try {
        secret = secrets.read(pooler.admin().secret());
      } catch (SecretNotFoundException e) {
        throw FailureType.NOT_FOUND.failure(
            "the pooler's admin secret is missing: " + e.getMessage());
      }
      user = secret.require("username");
      password = secret.require("password");
    }
    Path psql = binaries.map(b -> b.bin("psql")).orElse(Path.of("psql"));
    return new PgBouncerConsole(psql, pooler.host(), pooler.port(), user, password, timeout);
  }

  /** Who logs in to the console, for messages: never the password. */
  public static String user(PoolerConfig pooler) {
    AdminConfig admin = pooler.admin();
    return admin.user() != null ? admin.user() : "the user in secret " + admin.secret().path();
  }
}
