package dev.runbooks.activities.backup;

import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.activities.postgres.PgTool;

/** Waiting for a PostgreSQL client program while the activity heartbeats. */
public final class Pipes {
  private Pipes() {}

  /** The program's exit code; a cancelled activity stops waiting (its heartbeat throws). */
  public static int waitFor(PgTool.Running tool, Heartbeat heartbeat) {
    try {
      while (true) {
        heartbeat.check();
        Integer exit = tool.waitFor(Heartbeat.INTERVAL.toMillis());
        if (exit != null) {
          return exit;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientBackupException("interrupted waiting for " + tool.tool(), e);
    }
  }
}
