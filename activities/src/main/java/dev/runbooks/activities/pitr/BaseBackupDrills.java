package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.BackupManifests;
import dev.runbooks.activities.backup.crypto.CorruptedBackupException;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.ObjectNotFoundException;
import dev.runbooks.workflows.pitr.BaseBackupDrill;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A target's complete base backups, each with its newest PITR drill's verdict. */
final class BaseBackupDrills {
  private static final Logger log = LoggerFactory.getLogger(BaseBackupDrills.class);

  private BaseBackupDrills() {}

  /** Newest first. */
  static List<BaseBackupDrill> list(BackupRepository repository, String target) throws IOException {
    List<BaseBackupDrill> list = new ArrayList<>();
    for (BaseBackupManifest b : BaseBackups.complete(repository, target)) {
      Optional<PitrDrillVerdict> v = verdict(repository, target, b.id());
      list.add(
          new BaseBackupDrill(
              b.id(),
              b.timeline(),
              b.startLsn(),
              b.stopLsn(),
              b.finishedAt(),
              b.ciphertextBytes(),
              v.isPresent(),
              v.map(PitrDrillVerdict::passed).orElse(false),
              v.map(PitrDrillVerdict::judgedAt).orElse(null),
              v.map(PitrDrillVerdict::rto).orElse(null),
              v.map(PitrDrillVerdict::rpo).orElse(null),
              v.map(PitrDrillVerdict::differences).orElse(List.of())));
    }
    return list;
  }

  /** The verdict beside a base backup; none when never drilled, or when it cannot be read. */
  private static Optional<PitrDrillVerdict> verdict(
      BackupRepository repository, String target, String id) throws IOException {
    String key = BaseBackupLayout.verdictKey(target, id);
    try {
      return Optional.of(
          BackupManifests.fromJsonRecord(
              new String(repository.get(key), StandardCharsets.UTF_8),
              PitrDrillVerdict.class,
              "PITR drill verdict " + key));
    } catch (ObjectNotFoundException never) {
      return Optional.empty();
    } catch (CorruptedBackupException e) {
      // A verdict is an observation, not the backup: an unreadable one counts as never drilled.
      log.warn(
          "base backup {} of {} has an unreadable PITR drill verdict: {}",
          id,
          target,
          e.getMessage());
      return Optional.empty();
    }
  }
}
