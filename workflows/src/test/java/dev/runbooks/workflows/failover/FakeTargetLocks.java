package dev.runbooks.workflows.failover;

import dev.runbooks.workflows.shared.LockHolder;
import dev.runbooks.workflows.shared.TargetLockActivities;

/** Every lock is free. */
public class FakeTargetLocks implements TargetLockActivities {
  @Override
  public LockHolder acquireTargetLock(LockHolder request) {
    return request;
  }

  @Override
  public void releaseTargetLock(LockHolder holder) {}

  @Override
  public boolean isRunOpen(String workflowId) {
    return true;
  }
}
