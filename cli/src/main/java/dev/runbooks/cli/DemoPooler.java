package dev.runbooks.cli;

import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.testing.LocalPgBouncer;
import dev.runbooks.testing.MissingPgBouncerException;
import dev.runbooks.workflows.failover.PoolerState;
import java.io.PrintWriter;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The demo's PgBouncer in front of its primary, named under {@code failover.pooler} so that the
 * switchover pauses it, repoints it at the promoted replica and resumes it. Skipped, with one line
 * saying how to install it, when pgbouncer is not installed.
 */
final class DemoPooler {
  static final String SECRET = "demo/pgbouncer/admin";

  private DemoPooler() {}

  /**
   * A started PgBouncer serving the demo database as the admin user, or null when not installed.
   */
  static LocalPgBouncer start(LocalCluster primary, String password, PrintWriter out) {
    try {
      LocalPgBouncer.program();
    } catch (MissingPgBouncerException e) {
      out.println(
          "PgBouncer skipped: pgbouncer is not installed, so the switchover runs without a pooler."
              + " Install it with: apt-get install -y --no-install-recommends pgbouncer");
      return null;
    }
    return LocalPgBouncer.builder()
        .name("demo-pgbouncer")
        .database(DemoCommand.TARGET, primary)
        .user("postgres", password)
        .start();
  }

  /** Its admin user and password in the demo's secret store, for {@code failover.pooler.admin}. */
  static void writeSecret(SecretStore store, LocalPgBouncer bouncer) {
    store.write(
        SECRET,
        Map.of("username", LocalPgBouncer.ADMIN_USER, "password", bouncer.adminPassword()),
        OptionalInt.of(0));
  }

  /** The target's {@code failover:} section naming it, or nothing without a pooler. */
  static String config(LocalPgBouncer bouncer) {
    if (bouncer == null) {
      return "";
    }
    return "    failover:\n"
        + "      pooler: { host: "
        + bouncer.host()
        + ", port: "
        + bouncer.port()
        + ", admin: { secret: "
        + SECRET
        + " }, ini: "
        + bouncer.iniFile()
        + " }\n";
  }

  /** For the summary: where the pooler points after the switchover and whether it holds queries. */
  static String summary(PoolerState state) {
    if (state == null) {
      return "no pooler";
    }
    return "pooler "
        + state.address()
        + (state.paused() ? " PAUSED" : " resumed")
        + (state.databases().isEmpty() ? "" : ", " + String.join(",", state.databases()))
        + " on the new primary";
  }
}
