package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.BackupUpload;
import dev.runbooks.activities.backup.repository.ForwardingRepository;
import java.io.IOException;
import java.time.Instant;

/**
 * A repository that reads as its delegate does and fails every change with {@code fault}: the
 * exception the JDK throws for a read-only file system or a full disk.
 */
final class ReadOnlyRepository extends ForwardingRepository {
  private final IOException fault;

  ReadOnlyRepository(BackupRepository delegate, IOException fault) {
    super(delegate);
    this.fault = fault;
  }

  @Override
  public BackupUpload create(String key) throws IOException {
    throw fault;
  }

  @Override
  public void put(String key, byte[] small) throws IOException {
    throw fault;
  }

  @Override
  public void delete(String key) throws IOException {
    throw fault;
  }

  @Override
  public int cleanupIncomplete(String prefix, Instant before) throws IOException {
    throw fault;
  }
}
