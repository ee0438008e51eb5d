package dev.runbooks.cli;

/**
 * Keeps {@code dev} and {@code worker} in the foreground until Ctrl-C (or a kill): a shutdown hook
 * closes what runs, so the worker finishes its tasks in flight and the embedded service stops
 * cleanly. An interrupt (tests) closes it the same way and returns.
 */
final class Foreground {
  private Foreground() {}

  static void runUntilStopped(AutoCloseable running) throws Exception {
    Thread hook = new Thread(() -> closeQuietly(running), "runbook-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Thread.sleep(Long.MAX_VALUE);
    } catch (InterruptedException e) {
      Runtime.getRuntime().removeShutdownHook(hook);
      running.close();
    }
  }

  private static void closeQuietly(AutoCloseable running) {
    try {
      running.close();
    } catch (Exception e) {
      // The JVM is exiting; nothing is left to report to.
    }
  }
}
