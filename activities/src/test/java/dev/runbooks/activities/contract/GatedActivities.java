package dev.runbooks.activities.contract;

import io.temporal.activity.ActivityInterface;

@ActivityInterface
public interface GatedActivities {
  void prepareChange(String idempotencyKey);

  void undoPrepareChange(String idempotencyKey);

  void applyChange(String idempotencyKey);
}
