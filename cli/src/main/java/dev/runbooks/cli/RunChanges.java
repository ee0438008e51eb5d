package dev.runbooks.cli;

import dev.runbooks.workflows.backup.BackupResult;
import dev.runbooks.workflows.failover.FailoverResult;
import dev.runbooks.workflows.migration.MigrationResult;
import dev.runbooks.workflows.migration.VersionTiming;
import dev.runbooks.workflows.rotation.RotationResult;
import dev.runbooks.workflows.shared.RunbookKind;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.converter.DataConverter;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a run changed, in a few words, from its close event: the result of one that completed (the
 * versions a migration applied, the backup taken, the role rotated, the new primary), the rollback
 * a failed one reports. Empty when the run says nothing of it (a check, a run still open, a result
 * of another shape).
 */
final class RunChanges {
  private static final String ROLLED_BACK = "; rolled back ";
  private static final String ROLLBACK_FAILED = "; rollback FAILED";

  private RunChanges() {}

  static String of(HistoryEvent close, String kind, DataConverter converter) {
    if (close == null) {
      return "";
    }
    if (close.hasWorkflowExecutionFailedEventAttributes()) {
      return rollback(close.getWorkflowExecutionFailedEventAttributes().getFailure().getMessage());
    }
    if (!close.hasWorkflowExecutionCompletedEventAttributes()) {
      return "";
    }
    Payloads result = close.getWorkflowExecutionCompletedEventAttributes().getResult();
    try {
      if (RunbookKind.MIGRATE.label().equals(kind)) {
        return read(result, converter, MigrationResult.class, RunChanges::migration);
      }
      if (RunbookKind.BACKUP.label().equals(kind)) {
        return read(result, converter, BackupResult.class, b -> "backup " + b.backup().backupId());
      }
      if (RunbookKind.ROTATE.label().equals(kind)) {
        return read(
            result,
            converter,
            RotationResult.class,
            r ->
                "role "
                    + r.role()
                    + ": login "
                    + r.renewedLogin()
                    + ", secret version "
                    + r.newVersion());
      }
      if (RunbookKind.FAILOVER.label().equals(kind)) {
        return read(
            result,
            converter,
            FailoverResult.class,
            f -> "new primary " + f.newPrimary() + " (timeline " + f.newTimeline() + ")");
      }
    } catch (RuntimeException e) {
      // A result of another shape (a physical backup's, a test's): nothing to say.
    }
    return "";
  }

  private static String migration(MigrationResult m) {
    if (m.applied().isEmpty()) {
      return "nothing applied, at version " + m.toVersion();
    }
    return "applied "
        + m.applied().stream()
            .map(VersionTiming::version)
            .collect(Collectors.joining(", V", "V", ""))
        + " (version "
        + m.fromVersion()
        + " -> "
        + m.toVersion()
        + ")";
  }

  /** The rollback part of a failed run's message, as {@code Compensated.detail()} wrote it. */
  private static String rollback(String message) {
    for (String mark : new String[] {ROLLED_BACK, ROLLBACK_FAILED}) {
      int at = message.lastIndexOf(mark);
      if (at >= 0) {
        return message.substring(at + 2);
      }
    }
    return "";
  }

  private static <T> String read(
      Payloads result, DataConverter converter, Class<T> type, Function<T, String> say) {
    T value = converter.fromPayloads(0, Optional.of(result), type, type);
    return value == null ? "" : say.apply(value);
  }
}
