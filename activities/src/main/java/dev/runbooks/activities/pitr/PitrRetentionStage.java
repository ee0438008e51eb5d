package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.BackupLayout;
import dev.runbooks.activities.backup.BackupManifests;
import dev.runbooks.activities.backup.Retention;
import dev.runbooks.activities.backup.crypto.CorruptedBackupException;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.ObjectNotFoundException;
import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.pitr.PitrRetentionOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention of physical backups: the policy of the logical ones picks the base backups to keep (the
 * newest whose PITR drill passed is always kept), then every WAL segment older than the start of
 * the oldest kept base backup goes, since no kept backup can replay it. History files stay: they
 * are tiny and a recovery follows timelines through them. With no complete base backup nothing of
 * the archive is deleted.
 */
final class PitrRetentionStage {
  private static final Logger log = LoggerFactory.getLogger(PitrRetentionStage.class);

  private PitrRetentionStage() {}

  static PitrRetentionOutcome apply(
      BackupRepository repository, String target, RetentionPolicy policy, List<String> protect)
      throws IOException {
    List<BaseBackupManifest> backups = BaseBackups.complete(repository, target);
    List<Retention.Candidate> candidates = new ArrayList<>();
    for (BaseBackupManifest b : backups) {
      candidates.add(new Retention.Candidate(b.id(), b.startedAt(), drillPassed(repository, b)));
    }
    Retention.Decision decision = Retention.select(candidates, policy, new HashSet<>(protect));
    for (String id : decision.deleted()) {
      // Manifest first: a deletion cut short leaves an incomplete backup, never a manifest that
      // promises a tar that is gone.
      repository.delete(BaseBackupLayout.manifestKey(target, id));
      for (String key : repository.list(BackupLayout.backupPrefix(target, id))) {
        repository.delete(key);
      }
      log.info("physical retention of {}: deleted base backup {}", target, id);
    }
    WalSegment oldestNeeded = null;
    for (BaseBackupManifest b : backups) {
      if (decision.deleted().contains(b.id())) {
        continue;
      }
      WalSegment start = WalSegment.containing(b.timeline(), WalSegment.parseLsn(b.startLsn()));
      if (oldestNeeded == null || start.segno() < oldestNeeded.segno()) {
        oldestNeeded = start;
      }
    }
    int walDeleted = 0;
    if (oldestNeeded != null) {
      for (String key : repository.list(WalArchive.prefix(target))) {
        String name = key.substring(key.lastIndexOf('/') + 1).replace(".partial", "");
        if (WalSegment.isName(name) && WalSegment.parse(name).segno() < oldestNeeded.segno()) {
          repository.delete(key);
          walDeleted++;
        }
      }
      log.info(
          "physical retention of {}: deleted {} WAL objects before {}",
          target,
          walDeleted,
          oldestNeeded);
    }
    List<String> kept = new ArrayList<>();
    for (Map.Entry<String, List<String>> k : decision.kept().entrySet()) {
      kept.add(k.getKey() + ": " + String.join(", ", k.getValue()));
    }
    return new PitrRetentionOutcome(
        decision.deleted(), kept, walDeleted, oldestNeeded == null ? "" : oldestNeeded.name());
  }

  /** Whether the base backup's latest PITR drill passed. */
  static boolean drillPassed(BackupRepository repository, BaseBackupManifest b) throws IOException {
    try {
      byte[] json = repository.get(BaseBackupLayout.verdictKey(b.target(), b.id()));
      return BackupManifests.fromJsonRecord(
              new String(json, StandardCharsets.UTF_8), PitrDrillVerdict.class, "PITR verdict")
          .passed();
    } catch (ObjectNotFoundException | CorruptedBackupException e) {
      return false;
    }
  }
}
