package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.shared.FailureType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Backup and restore activities that record calls and fail or block on request. */
public final class FakeBackupActivities
    implements BackupActivities, RestoreActivities, BackupsInUseActivities {
  final List<String> calls = new CopyOnWriteArrayList<>();
  volatile boolean dumpFails;
  volatile boolean restoreCorrupted;
  volatile boolean restoredDiffers;
  volatile boolean databaseExists;

  /** The restore fails with this (a key or configuration error, a name clash) when set. */
  volatile RuntimeException restoreFails;

  volatile CountDownLatch holdRestore = new CountDownLatch(0);
  volatile boolean lastVerdictPassed;
  volatile List<String> lastVerdictDifferences = List.of();
  volatile List<String> inUse = List.of();

  @Override
  public BackupSummary dumpDatabase(BackupInput input) {
    calls.add("dump " + input.backupId());
    if (dumpFails) {
      throw FailureType.NOT_FOUND.failure("database orders does not exist (it vanished mid-dump)");
    }
    return new BackupSummary(
        input.backupId(),
        input.target(),
        "file:///backups/" + input.target() + "/" + input.backupId(),
        Instant.parse("2026-11-24T02:00:00Z"),
        Instant.parse("2026-11-24T02:00:05Z"),
        1000,
        1100,
        "ab".repeat(32),
        3,
        42,
        null);
  }

  @Override
  public void discardIncompleteBackup(BackupInput input) {
    calls.add("discard " + input.backupId());
  }

  @Override
  public RetentionOutcome applyRetention(RetentionInput input) {
    calls.add("retention protecting " + input.protectedIds());
    return new RetentionOutcome(List.of("20261101T020000Z-0000"), input.protectedIds());
  }

  @Override
  public List<String> backupsInUse(String target) {
    calls.add("in-use " + target);
    return inUse;
  }

  @Override
  public BackupCatalog listBackups(String target) {
    calls.add("list " + target);
    return new BackupCatalog(target, "file:///backups", List.of(), null);
  }

  @Override
  public String resolveBackup(DrillRequest request) {
    calls.add("resolve " + request.backupId());
    return request.backupId() == null ? "20261123T020000Z-aaaa" : request.backupId();
  }

  @Override
  public RestoreOutcome restoreBackup(RestoreInput input) {
    calls.add("restore " + input.backupId() + " into " + input.database());
    try {
      holdRestore.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (restoreFails != null) {
      throw restoreFails;
    }
    if (databaseExists && input.mustNotExist()) {
      throw FailureType.BAD_INPUT.failure("database " + input.database() + " exists");
    }
    if (restoreCorrupted) {
      throw FailureType.CORRUPTED_BACKUP.failure(
          "backup " + input.backupId() + " is corrupted: segment 3 failed authentication");
    }
    return new RestoreOutcome(input.backupId(), input.database(), 1000, Duration.ofSeconds(4));
  }

  @Override
  public Comparison compareWithManifest(RestoreInput input) {
    calls.add("compare " + input.database());
    return restoredDiffers
        ? new Comparison(3, 41, List.of("table public.orders: 41 rows, manifest says 42"))
        : new Comparison(3, 42, List.of());
  }

  @Override
  public void dropRestoredDatabase(RestoreInput input) {
    calls.add("drop " + input.database());
  }

  @Override
  public void recordDrillVerdict(DrillVerdictInput input) {
    calls.add("verdict " + (input.passed() ? "PASS" : "FAIL"));
    lastVerdictPassed = input.passed();
    lastVerdictDifferences = input.differences();
  }

  List<String> verbs() {
    return calls.stream().map(c -> c.substring(0, c.indexOf(' '))).toList();
  }
}
