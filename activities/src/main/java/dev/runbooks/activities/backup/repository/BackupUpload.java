package dev.runbooks.activities.backup.repository;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An object being written. Write, then {@link #commit()}: only then does the object appear under
 * its key, whole. {@link #abort()}, or {@link #close()} without a commit, removes every trace, so a
 * backup that fails halfway leaves nothing a restore could mistake for a backup.
 *
 * <pre>{@code
 * try (BackupUpload upload = repository.create(key)) {
 *   stream.transferTo(upload);
 *   upload.commit();
 * } // an exception before commit() aborts the upload
 * }</pre>
 */
public abstract class BackupUpload extends OutputStream {
  /** The key this upload writes. */
  public abstract String key();

  /** Bytes written so far. */
  public abstract long bytesWritten();

  /**
   * Makes the object visible, atomically and durably. After a commit the upload accepts no more
   * bytes, and {@link #close()} does nothing.
   */
  public abstract void commit() throws IOException;

  /** Discards everything written; safe to call more than once, and after a failed commit. */
  public abstract void abort() throws IOException;

  /** Aborts unless committed. */
  @Override
  public abstract void close() throws IOException;
}
