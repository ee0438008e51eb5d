package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.workflows.backup.RetentionInput;
import dev.runbooks.workflows.backup.RetentionOutcome;
import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.FailureType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention step: deletes the backups no rule of the policy keeps, and old abandoned uploads.
 */
final class RetentionStage {
  private static final Logger log = LoggerFactory.getLogger(RetentionStage.class);

  /**
   * Uploads left incomplete this long ago belong to no running attempt: an attempt lasts at most
   * LONG_STREAMING's start-to-close timeout, so retention may remove them.
   */
  static final Duration ABANDONED_UPLOAD_AGE =
      ActivityProfiles.LONG_STREAMING.getStartToCloseTimeout().multipliedBy(2);

  private final BackupTargets targets;
  private final Clock clock;

  RetentionStage(BackupTargets targets, Clock clock) {
    this.targets = targets;
    this.clock = clock;
  }

  RetentionOutcome applyRetention(RetentionInput input) {
    String target = input.target();
    RetentionPolicy policy =
        input.policy() != null ? checked(input.policy()) : targets.retention(target);
    String context = "retention of target " + target;
    BackupRepository repository = targets.repository(target);
    return Faults.call(
        context,
        repository,
        () -> {
          List<StoredBackups.Stored> stored = StoredBackups.list(repository, target);
          List<Retention.Candidate> candidates = new ArrayList<>();
          List<String> incomplete = new ArrayList<>();
          for (StoredBackups.Stored s : stored) {
            if (s.complete()) {
              DrillVerdict v = s.verdict();
              candidates.add(
                  new Retention.Candidate(
                      s.id(),
                      s.manifest().startedAt(),
                      v != null && v.passed(),
                      v != null && v.unproven()));
            } else {
              incomplete.add(s.id());
            }
          }
          Retention.Decision decision =
              Retention.select(candidates, policy, new HashSet<>(input.protectedIds()));
          for (String id : decision.deleted()) {
            StoreStage.deleteBackup(repository, target, id);
            log.info("{}: deleted backup {} (no rule of {} keeps it)", context, id, policy);
          }
          int abandoned =
              repository.cleanupIncomplete(
                  BackupLayout.targetPrefix(target), clock.instant().minus(ABANDONED_UPLOAD_AGE));
          if (abandoned > 0) {
            log.info("{}: removed {} abandoned uploads", context, abandoned);
          }
          List<String> kept = new ArrayList<>();
          for (Map.Entry<String, List<String>> k : decision.kept().entrySet()) {
            kept.add(k.getKey() + ": " + String.join(", ", k.getValue()));
          }
          for (String id : incomplete) {
            kept.add(id + ": incomplete, left to its own run (discardIncompleteBackup removes it)");
          }
          return new RetentionOutcome(decision.deleted(), kept);
        });
  }

  private static RetentionPolicy checked(RetentionPolicy policy) {
    if (policy.keepLast() < 0 || policy.keepDaily() < 0 || policy.keepWeekly() < 0) {
      throw FailureType.BAD_INPUT.failure(
          "expected a retention policy of counts of 0 or more, found " + policy);
    }
    if (policy.keepLast() == 0 && policy.keepDaily() == 0 && policy.keepWeekly() == 0) {
      throw FailureType.BAD_INPUT.failure(
          "the retention policy "
              + policy
              + " keeps nothing and would delete every backup but the newest verified one: set"
              + " at least one of keepLast, keepDaily and keepWeekly");
    }
    return policy;
  }
}
