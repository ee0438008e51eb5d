package dev.runbooks.activities.pitr;

import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.PgTool;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A running {@code pg_receivewal}: streams the primary's WAL into the spool directory, flushing
 * each write ({@code --synchronous}, so the primary's {@code pg_stat_replication.flush_lsn} says
 * how far the spool's files are valid), and exits when the connection ends ({@code --no-loop}).
 */
final class WalReceiver implements AutoCloseable {
  static final String TOOL = "pg_receivewal";

  private final PgTool.Running process;

  private WalReceiver(PgTool.Running process) {
    this.process = process;
  }

  static WalReceiver start(PgTool tools, ConnectionSpec spec, Path spool, String applicationName)
      throws IOException {
    List<String> args =
        List.of(
            "--directory=" + spool,
            "--dbname=dbname="
                + quoted(spec.database())
                + " application_name="
                + quoted(applicationName),
            "--no-loop",
            "--synchronous",
            "--status-interval=1",
            "--no-password",
            "--verbose");
    return new WalReceiver(tools.start(TOOL, args, spec));
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Its exit code, or null while it runs. */
  Integer exitCode() {
    try {
      return process.waitFor(0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Its last lines of stderr, any password scrubbed. */
  String errors() {
    return process.errors();
  }

  /** Whether it stopped because the server no longer has the WAL it asked for. */
  boolean walRemoved() {
    return errors().contains("has already been removed");
  }

  /** Stops it (SIGTERM, then SIGKILL): it closes its partial file as it is. */
  @Override
  public void close() {
    process.kill();
  }

  private static String quoted(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
