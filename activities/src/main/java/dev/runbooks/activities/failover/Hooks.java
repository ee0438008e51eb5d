package dev.runbooks.activities.failover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The configured command run after a new endpoint is stored (reload a connection pooler, update
 * DNS). It gets the endpoint in its environment: {@code RUNBOOKS_TARGET}, {@code RUNBOOKS_PRIMARY}
 * (the server's name), {@code RUNBOOKS_PRIMARY_HOST}, {@code RUNBOOKS_PRIMARY_PORT}, {@code
 * RUNBOOKS_PRIMARY_DATABASE}, {@code RUNBOOKS_PRIMARY_SSLMODE}, {@code RUNBOOKS_TIMELINE}, {@code
 * RUNBOOKS_RUN_ID} and {@code RUNBOOKS_ENDPOINT_SECRET}. It may run more than once for one failover
 * (a retry), so it must be idempotent.
 */
final class Hooks {
  static final long TIMEOUT_SECONDS = 60;

  private Hooks() {}

  /** Runs it; a non-zero exit or a timeout is thrown (and the activity retried). */
  static String run(List<String> argv, Map<String, String> record, String secretPath) {
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("RUNBOOKS_ENDPOINT_SECRET", secretPath);
    env.put("RUNBOOKS_RUN_ID", record.get("runId"));
    env.put("RUNBOOKS_TIMELINE", record.get("timeline"));
    env.put("RUNBOOKS_TARGET", record.get("target"));
    env.put("RUNBOOKS_PRIMARY", record.get("primary"));
    for (String key : List.of("host", "port", "database", "sslmode")) {
      env.put("RUNBOOKS_PRIMARY_" + key.toUpperCase(Locale.ROOT), record.get(key));
    }
    String program = argv.get(0);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "the failover hook " + program + " did not finish within " + TIMEOUT_SECONDS + " s");
      }
      String output = lastLine(new String(out, StandardCharsets.UTF_8));
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "the failover hook "
                + program
                + " exited with "
                + process.exitValue()
                + ": "
                + output
                + "; the endpoint is stored, the hook is retried. Fix the hook, or run it by"
                + " hand with the RUNBOOKS_* variables runbooks/failover.md lists.");
      }
      return program + " exited 0" + (output.isEmpty() ? "" : ": " + output);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run the failover hook " + program + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the failover hook ran", e);
    }
  }

  private static String lastLine(String text) {
    String t = text.strip();
    int nl = t.lastIndexOf('\n');
    String line = nl < 0 ? t : t.substring(nl + 1);
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
