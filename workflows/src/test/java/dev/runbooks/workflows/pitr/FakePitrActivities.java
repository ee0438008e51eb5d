package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.backup.BackupInput;
import dev.runbooks.workflows.backup.RetentionInput;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The physical backup and PITR drill activities, answering as a healthy target would. */
final class FakePitrActivities implements PhysicalBackupActivities, PitrDrillActivities {
  final AtomicInteger drills = new AtomicInteger();
  final List<String> drillIds = new java.util.concurrent.CopyOnWriteArrayList<>();
  volatile List<String> differences = List.of();

  private static BaseBackupSummary summary(BackupInput input) {
    return new BaseBackupSummary(
        input.backupId(),
        input.target(),
        "file:///backups/" + input.target() + "/" + input.backupId(),
        1,
        "0/2000028",
        "0/2000100",
        Instant.parse("2026-12-03T02:00:00Z"),
        Instant.parse("2026-12-03T02:00:05Z"),
        24_000_000,
        3_000_000,
        "ab".repeat(32));
  }

  @Override
  public BaseBackupSummary takeBaseBackup(BackupInput input) {
    return summary(input);
  }

  @Override
  public BaseBackupSummary completeBaseBackup(BackupInput input) {
    return summary(input);
  }

  @Override
  public void discardIncompleteBaseBackup(BackupInput input) {}

  @Override
  public PitrRetentionOutcome applyPitrRetention(RetentionInput input) {
    return new PitrRetentionOutcome(
        List.of("20261101T020000Z-old1"),
        List.of(input.protectedIds().get(0) + ": keep-last 7"),
        12,
        "000000010000000000000002");
  }

  @Override
  public PitrMarker writeDrillMarker(PitrDrillInput input) {
    drills.incrementAndGet();
    drillIds.add(input.drillId());
    return new PitrMarker(
        input.drillId(),
        "0/3000148",
        "0/30001F0",
        Instant.parse("2026-12-03T03:00:00Z"),
        Map.of("public.orders", 750L),
        List.of("table public.orders"));
  }

  @Override
  public Duration awaitDrillArchived(PitrDrillRun run) {
    return Duration.ofMillis(1200);
  }

  @Override
  public PitrDrillCheck drillPointInTime(PitrDrillRun run) {
    return new PitrDrillCheck(
        "20261203T020000Z-base",
        new PitrPoint("0/3000148", "2026-12-03 03:00:00+00", 2),
        Duration.ofSeconds(9),
        differences);
  }

  @Override
  public void recordPitrVerdict(PitrVerdictInput input) {}
}
