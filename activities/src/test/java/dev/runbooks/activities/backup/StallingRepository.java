package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.BackupUpload;
import dev.runbooks.activities.backup.repository.ForwardingRepository;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A repository whose uploads stop, once they hold {@code stallAfter} bytes, until the test lets
 * them go on: pg_dump then blocks on its full pipe in the middle of a table, and the test can cut
 * its connection or drop its database at a known point.
 */
final class StallingRepository extends ForwardingRepository {
  private final long stallAfter;
  final CountDownLatch stalled = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);

  /** The bytes the stalled upload held when it stopped. */
  volatile long stalledAt = -1;

  StallingRepository(BackupRepository delegate, long stallAfter) {
    super(delegate);
    this.stallAfter = stallAfter;
  }

  @Override
  public BackupUpload create(String key) throws IOException {
    BackupUpload upload = delegate().create(key);
    return new BackupUpload() {
      @Override
      public String key() {
        return upload.key();
      }

      @Override
      public long bytesWritten() {
        return upload.bytesWritten();
      }

      @Override
      public void write(int b) throws IOException {
        pause();
        upload.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        pause();
        upload.write(b, off, len);
      }

      @Override
      public void flush() throws IOException {
        upload.flush();
      }

      @Override
      public void commit() throws IOException {
        upload.commit();
      }

      @Override
      public void abort() throws IOException {
        upload.abort();
      }

      @Override
      public void close() throws IOException {
        upload.close();
      }

      private void pause() throws IOException {
        if (upload.bytesWritten() < stallAfter || release.getCount() == 0) {
          return;
        }
        stalledAt = upload.bytesWritten();
        stalled.countDown();
        try {
          if (!release.await(120, TimeUnit.SECONDS)) {
            throw new IOException("the test never released the stalled upload");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while stalled", e);
        }
      }
    };
  }
}
