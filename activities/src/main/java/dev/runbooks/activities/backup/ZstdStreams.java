package dev.runbooks.activities.backup;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * zstd streams over native contexts that are kept and reused, one per concurrent stream.
 *
 * <p>A zstd context holds a few MB of native memory (the window, match tables). zstd-jni's own
 * streams allocate a context per stream and free it on close; the worker runs each backup on
 * whichever activity thread is free, and glibc keeps the freed memory in that thread's arena, so a
 * long-running worker's resident size crept up by megabytes per backup. Reused contexts are
 * allocated once.
 */
public final class ZstdStreams {
  /** zstd's recommended streaming input size (one block); output gets the same. */
  private static final int CHUNK = 128 * 1024;

  /** A multi-threaded stream's job: the unit a worker compresses (zstd's default is 4 windows). */
  private static final int JOB_SIZE = 2 * 1024 * 1024;

  private static final Queue<Compressor> idleCompressors = new ConcurrentLinkedQueue<>();
  private static final Queue<Decompressor> idleDecompressors = new ConcurrentLinkedQueue<>();

  private ZstdStreams() {}

  /** Contexts idle in the pools now (for tests). */
  static int idleContexts() {
    return idleCompressors.size() + idleDecompressors.size();
  }

  /**
   * A stream that compresses into {@code out} as one frame with its checksum; closing it ends the
   * frame and closes {@code out}.
   */
  public static OutputStream compressing(OutputStream out, int level) {
    return compressing(out, level, 0);
  }

  /**
   * As {@link #compressing(OutputStream, int)}, with {@code workers} native threads compressing
   * while the caller goes on feeding input (0: the caller's thread compresses), in jobs of {@value
   * #JOB_SIZE} bytes, which bounds their buffers to a few MB.
   */
  public static OutputStream compressing(OutputStream out, int level, int workers) {
    Objects.requireNonNull(out, "out");
    Compressor c = idleCompressors.poll();
    if (c == null) {
      c = new Compressor();
    }
    c.ctx.reset();
    c.ctx.setLevel(level);
    c.ctx.setChecksum(true);
    c.ctx.setWorkers(workers);
    if (workers > 0) {
      c.ctx.setJobSize(JOB_SIZE);
    }
    c.in.clear();
    return new Compressing(out, c);
  }

  /**
   * A stream that decompresses the zstd frames {@code in} holds; closing it returns its context and
   * leaves {@code in} open, for its owner. A source that ends inside a frame is an {@link
   * IOException}.
   */
  public static InputStream decompressing(InputStream in) {
    Objects.requireNonNull(in, "in");
    Decompressor d = idleDecompressors.poll();
    if (d == null) {
      d = new Decompressor();
    }
    d.ctx.reset();
    d.in.clear().flip();
    d.out.clear().flip();
    return new Decompressing(in, d);
  }

  /** A compression context with its buffers. */
  private static final class Compressor {
    final ZstdCompressCtx ctx = new ZstdCompressCtx();
    final ByteBuffer in = ByteBuffer.allocateDirect(CHUNK);
    final ByteBuffer out = ByteBuffer.allocateDirect(CHUNK);
    final byte[] bytes = new byte[CHUNK];
  }

  /** A decompression context with its buffers. */
  private static final class Decompressor {
    final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
    final ByteBuffer in = ByteBuffer.allocateDirect(CHUNK);
    final ByteBuffer out = ByteBuffer.allocateDirect(CHUNK);
    final byte[] bytes = new byte[CHUNK];
  }

  private static final class Compressing extends OutputStream {
    private final OutputStream out;
    private Compressor c;

    Compressing(OutputStream out, Compressor c) {
      this.out = out;
      this.c = c;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      Compressor open = open();
      while (len > 0) {
        int n = Math.min(len, open.in.remaining());
        open.in.put(b, off, n);
        off += n;
        len -= n;
        if (!open.in.hasRemaining()) {
          compress(open, EndDirective.CONTINUE);
        }
      }
    }

    @Override
    public void flush() throws IOException {
      compress(open(), EndDirective.FLUSH);
      out.flush();
    }

    @Override
    public void close() throws IOException {
      Compressor closing = c;
      if (closing == null) {
        return;
      }
      c = null;
      try (out) {
        compress(closing, EndDirective.END);
      } finally {
        idleCompressors.add(closing);
      }
    }

    private Compressor open() throws IOException {
      if (c == null) {
        throw new IOException("the zstd stream is closed");
      }
      return c;
    }

    /** Feeds what {@code in} holds to zstd and writes what comes out. */
    private void compress(Compressor z, EndDirective directive) throws IOException {
      z.in.flip();
      boolean flushed;
      do {
        z.out.clear();
        try {
          flushed = z.ctx.compressDirectByteBufferStream(z.out, z.in, directive);
        } catch (ZstdException e) {
          throw new IOException("zstd compression failed: " + e.getMessage(), e);
        }
        z.out.flip();
        int n = z.out.remaining();
        z.out.get(z.bytes, 0, n);
        out.write(z.bytes, 0, n);
      } while (z.in.hasRemaining() || (directive != EndDirective.CONTINUE && !flushed));
      z.in.clear();
    }
  }

  private static final class Decompressing extends InputStream {
    private final InputStream in;
    private Decompressor d;
    private boolean frameEnded = true;
    private boolean outputFull;

    Decompressing(InputStream in, Decompressor d) {
      this.in = in;
      this.d = d;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (d == null) {
        throw new IOException("the zstd stream is closed");
      }
      if (len == 0) {
        return 0;
      }
      if (!d.out.hasRemaining() && !fill()) {
        return -1;
      }
      int n = Math.min(len, d.out.remaining());
      d.out.get(b, off, n);
      return n;
    }

    /** Decompresses more into {@code out}; false at the end of the source. */
    private boolean fill() throws IOException {
      while (true) {
        // A full output buffer may hide more of the frame; not once the frame has ended: asked
        // again then, zstd reports the next frame's header as pending, and a stream whose size is
        // a multiple of the buffer would be taken for one cut short.
        if (d.in.hasRemaining() || (outputFull && !frameEnded)) {
          d.out.clear();
          try {
            frameEnded = d.ctx.decompressDirectByteBufferStream(d.out, d.in);
          } catch (ZstdException e) {
            throw new IOException("the zstd stream is damaged: " + e.getMessage(), e);
          }
          outputFull = !d.out.hasRemaining();
          d.out.flip();
          if (d.out.hasRemaining()) {
            return true;
          }
          continue;
        }
        int n = in.read(d.bytes, 0, d.bytes.length);
        if (n < 0) {
          if (!frameEnded) {
            throw new IOException("the zstd stream ends inside a frame: it was cut short");
          }
          return false;
        }
        frameEnded = false;
        d.in.clear();
        d.in.put(d.bytes, 0, n);
        d.in.flip();
      }
    }

    @Override
    public void close() {
      Decompressor closing = d;
      if (closing == null) {
        return;
      }
      d = null;
      idleDecompressors.add(closing);
    }
  }
}
