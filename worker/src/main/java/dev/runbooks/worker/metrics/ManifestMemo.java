package dev.runbooks.worker.metrics;

import dev.runbooks.activities.backup.BackupLayout;
import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.ForwardingRepository;
import dev.runbooks.workflows.backup.RetentionPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A repository that reads each backup manifest once: a manifest is written last, once, when its
 * backup is complete, and never changed after (deleting the backup deletes it first), so the bytes
 * read before are the bytes there now. A refresh of the figures therefore lists the repository and
 * reads only the manifests of backups that are new since. Every other object, a drill verdict among
 * them (a new drill of the same backup writes it again), is read from the repository each time. A
 * manifest whose key a listing no longer shows is forgotten (backup ids carry their time and a
 * random part, so an id is not written twice).
 */
final class ManifestMemo extends ForwardingRepository {
  private static final String MANIFEST = "/" + BackupLayout.MANIFEST;

  private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();

  ManifestMemo(BackupRepository delegate) {
    super(delegate);
  }

  /** {@code targets} with each of their repositories read through one memo. */
  static BackupTargets of(BackupTargets targets) {
    Map<BackupRepository, ManifestMemo> memos =
        Collections.synchronizedMap(new IdentityHashMap<>());
    return new BackupTargets() {
      @Override
      public BackupRepository repository(String target) {
        return memos.computeIfAbsent(targets.repository(target), ManifestMemo::new);
      }

      @Override
      public RetentionPolicy retention(String target) {
        return targets.retention(target);
      }

      @Override
      public Duration freshness(String target) {
        return targets.freshness(target);
      }

      @Override
      public void close() {
        targets.close();
      }
    };
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    List<String> keys = super.list(prefix);
    Set<String> listed = new HashSet<>(keys);
    manifests.keySet().removeIf(k -> k.startsWith(prefix) && !listed.contains(k));
    return keys;
  }

  @Override
  public byte[] get(String key) throws IOException {
    if (!key.endsWith(MANIFEST)) {
      return super.get(key);
    }
    byte[] known = manifests.get(key);
    if (known == null) {
      known = super.get(key);
      manifests.put(key, known);
    }
    return known.clone();
  }

  @Override
  public void put(String key, byte[] small) throws IOException {
    manifests.remove(key);
    super.put(key, small);
  }

  @Override
  public void delete(String key) throws IOException {
    manifests.remove(key);
    super.delete(key);
  }
}
