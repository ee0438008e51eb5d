package dev.runbooks.activities.pitr;

import dev.runbooks.activities.postgres.Heartbeat;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Fetches a restore's WAL files (decrypted and verified, {@link WalArchive#fetch}) into the
 * directory the server's {@code restore_command} copies from, on a thread of its own while the base
 * backup is unpacked: the two are independent, and the server starts only once both are done, so a
 * flipped byte or a missing object still stops the restore before recovery begins.
 */
final class WalFetch {
  private final FutureTask<Long> task;

  private WalFetch(FutureTask<Long> task) {
    this.task = task;
  }

  /** Starts fetching {@code names} into {@code dir}, each handed to the server's user. */
  static WalFetch start(
      WalArchive archive, List<String> names, Path dir, ServerHost host, Heartbeat heartbeat) {
    FutureTask<Long> task =
        new FutureTask<>(
            () -> {
              long bytes = 0;
              for (String name : names) {
                heartbeat.check();
                if (Thread.currentThread().isInterrupted()) {
                  throw new InterruptedIOException("the WAL fetch was stopped");
                }
                bytes += archive.fetch(name, dir.resolve(name)).bytes();
                host.ownFile(dir.resolve(name));
                heartbeat.add(1);
              }
              return bytes;
            });
    Thread thread = new Thread(task, "runbooks-pitr-wal-fetch");
    thread.setDaemon(true);
    thread.start();
    return new WalFetch(task);
  }

  /** Waits for every file; the bytes fetched. Its failure comes through as it was thrown. */
  long await() throws IOException {
    try {
      return task.get();
    } catch (InterruptedException e) {
      task.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the WAL fetch");
    } catch (CancellationException e) {
      throw new InterruptedIOException("the WAL fetch was stopped");
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
      throw new IOException("fetching the WAL failed: " + cause, cause);
    }
  }

  /** Stops it (the unpacking failed) and waits until it has. */
  void cancel() {
    task.cancel(true);
  }
}
