package dev.runbooks.activities.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Drains a program's output on a thread of its own into a few MB of buffers, so that the program
 * never waits on its pipe (64 KiB) while the worker compresses, hashes and encrypts what came
 * before: the program and the worker's pipeline run side by side instead of taking turns. The
 * buffers are recycled; nothing is copied twice.
 */
final class ReadAhead implements AutoCloseable {
  /** One read's worth: a pipe gives at most 64 KiB a read. */
  static final int CHUNK = 64 * 1024;

  /** Chunks in flight: 4 MiB ahead of the pipeline at most. */
  static final int CHUNKS = 64;

  /** A filled buffer; give it back with {@link #recycle} once written. */
  static final class Chunk {
    final byte[] bytes = new byte[CHUNK];
    int length;
  }

  private static final Chunk END = new Chunk();

  private final InputStream in;
  private final BlockingQueue<Chunk> free = new ArrayBlockingQueue<>(CHUNKS);
  private final BlockingQueue<Chunk> filled = new ArrayBlockingQueue<>(CHUNKS + 1);
  private final Thread thread;
  private volatile IOException failure;
  private boolean ended;

  private ReadAhead(InputStream in, String name) {
    this.in = in;
    for (int i = 0; i < CHUNKS; i++) {
      free.add(new Chunk());
    }
    thread = new Thread(this::drain, name);
    thread.setDaemon(true);
  }

  /** Starts reading {@code in} ahead, on a thread called {@code name}. */
  static ReadAhead start(InputStream in, String name) {
    ReadAhead ahead = new ReadAhead(in, name);
    ahead.thread.start();
    return ahead;
  }

  private void drain() {
    try {
      while (true) {
        Chunk c = free.take();
        int n = in.read(c.bytes, 0, CHUNK);
        if (n < 0) {
          break;
        }
        c.length = n;
        filled.put(c);
      }
    } catch (IOException e) {
      failure = e;
    } catch (InterruptedException e) {
      // closed: the reader has gone
      return;
    }
    filled.add(END);
  }

  /**
   * The next chunk, waiting for it; null at the end of the output.
   *
   * @throws IOException what reading the output failed with
   */
  Chunk next() throws IOException {
    if (ended) {
      return null;
    }
    Chunk c;
    try {
      c = filled.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the program's output");
    }
    if (c == END) {
      ended = true;
      if (failure != null) {
        throw failure;
      }
      return null;
    }
    return c;
  }

  /** Gives a chunk back for reading into again. */
  void recycle(Chunk c) {
    free.add(c);
  }

  /** Stops reading ahead; the program's own end (or kill) ends a read in progress. */
  @Override
  public void close() {
    thread.interrupt();
  }
}
