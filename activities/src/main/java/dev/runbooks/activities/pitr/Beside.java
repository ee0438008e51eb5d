package dev.runbooks.activities.pitr;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Work run on a thread of its own while the caller does other work that does not need it yet: a
 * restore fetches its WAL while the base backup is unpacked and the recovery replays. Its failure
 * comes through {@link #await()} as it was thrown.
 */
final class Beside {
  /** The work: I/O that may fail. */
  @FunctionalInterface
  interface Work {
    void run() throws IOException;
  }

  private final FutureTask<Void> task;

  private Beside(FutureTask<Void> task) {
    this.task = task;
  }

  static Beside start(String threadName, Work work) {
    FutureTask<Void> task =
        new FutureTask<>(
            () -> {
              work.run();
              return null;
            });
    Thread thread = new Thread(task, threadName);
    thread.setDaemon(true);
    thread.start();
    return new Beside(task);
  }

  /** Waits until the work is done; its failure, if it failed. */
  void await() throws IOException {
    try {
      task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for " + task);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IOException(cause);
    }
  }

  /** Throws the work's failure if it has failed; returns at once otherwise. */
  void rethrowIfFailed() throws IOException {
    if (task.isDone()) {
      await();
    }
  }

  /**
   * Waits until the work has ended, however it ends: the caller failed and is about to remove what
   * the work writes into.
   */
  void awaitQuietly() {
    try {
      await();
    } catch (IOException | RuntimeException e) {
      // the caller's own failure is the one to report
    }
  }
}
