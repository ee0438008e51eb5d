package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.crypto.CorruptedBackupException;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.ObjectNotFoundException;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A target's backups as its repository holds them: each backup directory with its manifest (when
 * complete) and its latest drill verdict (when drilled).
 */
final class StoredBackups {
  private static final Logger log = LoggerFactory.getLogger(StoredBackups.class);

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");
  private static final Pattern ID_TIME = Pattern.compile("(\\d{8}T\\d{6})Z");
  private static final DateTimeFormatter ID_TIME_FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  /**
   * One backup directory.
   *
   * @param manifest null when the backup is incomplete (or its manifest unreadable: see {@code
   *     problem})
   * @param verdict null when never drilled
   * @param problem why a manifest that exists cannot be used; null when fine or absent
   */
  record Stored(String id, BackupManifest manifest, DrillVerdict verdict, String problem) {
    boolean complete() {
      return manifest != null;
    }

    /** When it started: the manifest's time, or the time its id begins with, or the epoch. */
    Instant startedAt() {
      return manifest != null ? manifest.startedAt() : idTime(id).orElse(Instant.EPOCH);
    }
  }

  /** Newest first: by start, then id. */
  static final Comparator<Stored> NEWEST_FIRST =
      Comparator.comparing(Stored::startedAt).thenComparing(Stored::id).reversed();

  /** The target's WAL archive ({@code <target>/wal/}, pitr.WalArchive): not a backup. */
  private static final String WAL_DIRECTORY = "wal/";

  private StoredBackups() {}

  /** Every backup of {@code target}, complete or not, newest first. */
  static List<Stored> list(BackupRepository repository, String target) throws IOException {
    String prefix = BackupLayout.targetPrefix(target);
    Map<String, List<String>> files = new TreeMap<>();
    for (String key : repository.list(prefix)) {
      String rest = key.substring(prefix.length());
      int slash = rest.indexOf('/');
      if (slash <= 0
          || !ID.matcher(rest.substring(0, slash)).matches()
          || rest.startsWith(WAL_DIRECTORY)) {
        log.debug("not a backup's object, skipped: {}", key);
        continue;
      }
      files.computeIfAbsent(rest.substring(0, slash), id -> new ArrayList<>()).add(key);
    }
    // Physical base backups and the WAL archive have listings of their own.
    files.remove(BackupLayout.WAL_DIRECTORY);
    files
        .values()
        .removeIf(keys -> keys.stream().anyMatch(k -> k.endsWith(BackupLayout.PHYSICAL_BASE)));
    List<Stored> backups = new ArrayList<>();
    for (Map.Entry<String, List<String>> entry : files.entrySet()) {
      String id = entry.getKey();
      List<String> keys = entry.getValue();
      BackupManifest manifest = null;
      String problem = null;
      if (keys.contains(BackupLayout.manifestKey(target, id))) {
        try {
          manifest = readManifest(repository, target, id);
        } catch (ObjectNotFoundException raced) {
          // deleted meanwhile (retention in another run): incomplete now
        } catch (CorruptedBackupException e) {
          problem = e.getMessage();
          log.warn("backup {} of {} has an unusable manifest: {}", id, target, problem);
        }
      }
      DrillVerdict verdict = null;
      if (keys.contains(BackupLayout.verdictKey(target, id))) {
        verdict = readVerdict(repository, target, id);
      }
      backups.add(new Stored(id, manifest, verdict, problem));
    }
    backups.sort(NEWEST_FIRST);
    return backups;
  }

  /** The manifest of a complete backup, or empty when the backup has none (yet). */
  static Optional<BackupManifest> manifestIfComplete(
      BackupRepository repository, String target, String id) throws IOException {
    if (!repository.exists(BackupLayout.manifestKey(target, id))) {
      return Optional.empty();
    }
    try {
      return Optional.of(readManifest(repository, target, id));
    } catch (ObjectNotFoundException raced) {
      return Optional.empty();
    }
  }

  /**
   * The manifest of a backup that must be complete.
   *
   * @throws PermanentBackupException NOT_FOUND when there is no such backup, CORRUPTED_BACKUP when
   *     it has no manifest (incomplete) or an unusable one
   */
  static BackupManifest requireManifest(BackupRepository repository, String target, String id)
      throws IOException {
    Optional<BackupManifest> manifest = manifestIfComplete(repository, target, id);
    if (manifest.isPresent()) {
      return manifest.get();
    }
    if (!repository.list(BackupLayout.backupPrefix(target, id)).isEmpty()) {
      throw new PermanentBackupException(
          FailureType.CORRUPTED_BACKUP,
          "backup "
              + id
              + " of target "
              + target
              + " is an incomplete backup: it has no "
              + BackupLayout.MANIFEST
              + " (its dump never finished, or the manifest was deleted), so it is never"
              + " restored. Choose a complete backup (runbook backups --target "
              + target
              + " lists them) or take a new one");
    }
    List<String> complete = new ArrayList<>();
    for (Stored s : list(repository, target)) {
      if (s.complete() && complete.size() < 5) {
        complete.add(s.id());
      }
    }
    throw new PermanentBackupException(
        FailureType.NOT_FOUND,
        "no backup "
            + id
            + " of target "
            + target
            + " in "
            + repository.describe()
            + "; "
            + (complete.isEmpty()
                ? "the target has no complete backup there: take one with runbook backup --target "
                    + target
                : "its newest complete backups: "
                    + String.join(", ", complete)
                    + " (runbook backups --target "
                    + target
                    + " lists all)"));
  }

  /** Where a target's backups are, for messages and listings: {@code s3://bucket/prefix/orders}. */
  static String location(BackupRepository repository, String target) {
    return location(repository, target, null);
  }

  /** Where one backup is: {@code s3://bucket/prefix/orders/20261124T020000Z-1a2b}. */
  static String location(BackupRepository repository, String target, String id) {
    String describe = repository.describe();
    // S3-compatible stores are described "s3://bucket/prefix at http://host:port".
    int at = describe.indexOf(" at ");
    String base = at < 0 ? describe : describe.substring(0, at);
    String suffix = at < 0 ? "" : describe.substring(at);
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return base + "/" + target + (id == null ? "" : "/" + id) + suffix;
  }

  private static BackupManifest readManifest(BackupRepository repository, String target, String id)
      throws IOException {
    byte[] json = repository.get(BackupLayout.manifestKey(target, id));
    BackupManifest manifest;
    try {
      manifest = BackupManifests.fromJson(new String(json, StandardCharsets.UTF_8));
    } catch (CorruptedBackupException e) {
      throw new CorruptedBackupException(
          "backup " + id + " of target " + target + ": " + e.getMessage(), e);
    }
    if (!manifest.id().equals(id) || !manifest.target().equals(target)) {
      throw new CorruptedBackupException(
          "backup "
              + id
              + " of target "
              + target
              + " has the manifest of backup "
              + manifest.id()
              + " of target "
              + manifest.target()
              + ": it was copied or moved; restore "
              + manifest.id()
              + " from where it was written, or choose another backup",
          null);
    }
    return manifest;
  }

  private static DrillVerdict readVerdict(BackupRepository repository, String target, String id)
      throws IOException {
    try {
      return BackupManifests.verdictFromJson(
          new String(repository.get(BackupLayout.verdictKey(target, id)), StandardCharsets.UTF_8));
    } catch (ObjectNotFoundException raced) {
      return null;
    } catch (CorruptedBackupException e) {
      // A verdict is an observation, not the backup: an unreadable one counts as never drilled.
      log.warn("backup {} of {} has an unreadable drill verdict: {}", id, target, e.getMessage());
      return null;
    }
  }

  /** The time an id such as {@code 20261124T020000Z-1a2b} begins with, if it begins with one. */
  static Optional<Instant> idTime(String id) {
    Matcher m = ID_TIME.matcher(id);
    if (!m.lookingAt()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ID_TIME_FORMAT.parse(m.group(1), Instant::from));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
