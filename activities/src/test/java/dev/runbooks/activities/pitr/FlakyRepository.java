package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.BackupUpload;
import dev.runbooks.activities.backup.repository.TransientRepositoryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A repository that can be made unreachable, as a network outage makes S3. */
final class FlakyRepository implements BackupRepository {
  private final BackupRepository real;
  private volatile boolean down;

  FlakyRepository(BackupRepository real) {
    this.real = real;
  }

  void down(boolean value) {
    down = value;
  }

  private void check() throws IOException {
    if (down) {
      throw new TransientRepositoryException(
          "cannot reach the repository", new ConnectException("Connection refused"));
    }
  }

  @Override
  public BackupUpload create(String key) throws IOException {
    check();
    return real.create(key);
  }

  @Override
  public InputStream open(String key) throws IOException {
    check();
    return real.open(key);
  }

  @Override
  public Optional<Long> size(String key) throws IOException {
    check();
    return real.size(key);
  }

  @Override
  public boolean exists(String key) throws IOException {
    check();
    return real.exists(key);
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    check();
    return real.list(prefix);
  }

  @Override
  public void put(String key, byte[] small) throws IOException {
    check();
    real.put(key, small);
  }

  @Override
  public byte[] get(String key) throws IOException {
    check();
    return real.get(key);
  }

  @Override
  public void delete(String key) throws IOException {
    check();
    real.delete(key);
  }

  @Override
  public int cleanupIncomplete(String prefix, Instant before) throws IOException {
    check();
    return real.cleanupIncomplete(prefix, before);
  }

  @Override
  public String describe() {
    return real.describe();
  }
}
