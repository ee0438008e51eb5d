package dev.runbooks.activities.backup.repository;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A repository that hands every call to another: the base of those that change one call. */
public class ForwardingRepository implements BackupRepository {
  private final BackupRepository delegate;

  public ForwardingRepository(BackupRepository delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The repository every call goes to. */
  protected final BackupRepository delegate() {
    return delegate;
  }

  @Override
  public BackupUpload create(String key) throws IOException {
    return delegate.create(key);
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
    delegate.put(key, small);
  }

  @Override
  public byte[] get(String key) throws IOException {
    return delegate.get(key);
  }

  @Override
  public void delete(String key) throws IOException {
    delegate.delete(key);
  }

  @Override
  public int cleanupIncomplete(String prefix, Instant before) throws IOException {
    return delegate.cleanupIncomplete(prefix, before);
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
