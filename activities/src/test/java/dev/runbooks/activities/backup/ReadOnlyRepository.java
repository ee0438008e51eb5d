package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.BackupUpload;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A repository that reads as its delegate does and fails every change with {@code fault}: the
 * exception the JDK throws for a read-only file system or a full disk.
 */
final class ReadOnlyRepository implements BackupRepository {
  private final BackupRepository delegate;
  private final IOException fault;

  ReadOnlyRepository(BackupRepository delegate, IOException fault) {
    this.delegate = delegate;
    this.fault = fault;
  }

  @Override
  public BackupUpload create(String key) throws IOException {
    throw fault;
  }

  @Override
  public InputStream open(String key) throws IOException {
    return delegate.open(key);
  }

  @Override
  public Optional<Long> size(String key) throws IOException {
    return delegate.size(key);
  }

  @Override
  public boolean exists(String key) throws IOException {
    return delegate.exists(key);
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    return delegate.list(prefix);
  }

  @Override
  public void put(String key, byte[] small) throws IOException {
    throw fault;
  }

  @Override
  public byte[] get(String key) throws IOException {
    return delegate.get(key);
  }

  @Override
  public void delete(String key) throws IOException {
    throw fault;
  }

  @Override
  public int cleanupIncomplete(String prefix, Instant before) throws IOException {
    throw fault;
  }

  @Override
  public String describe() {
    return delegate.describe();
  }
}
