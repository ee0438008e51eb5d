package dev.runbooks.activities.contract;

import dev.runbooks.workflows.shared.FailureType;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Records every call; can hold {@code prepareChange} and make {@code applyChange} fail. */
final class RecordingGatedActivities implements GatedActivities {
  final List<String> calls = new CopyOnWriteArrayList<>();
  volatile boolean failApply;
  volatile CountDownLatch holdPrepare = new CountDownLatch(0);

  @Override
  public void prepareChange(String idempotencyKey) {
    calls.add("prepare " + idempotencyKey);
    try {
      if (!holdPrepare.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test never released prepareChange");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void undoPrepareChange(String idempotencyKey) {
    calls.add("undo " + idempotencyKey);
  }

  @Override
  public void applyChange(String idempotencyKey) {
    calls.add("apply " + idempotencyKey);
    if (failApply) {
      throw FailureType.BAD_INPUT.failure("the change does not apply: column already exists");
    }
  }

  List<String> verbs() {
    return calls.stream().map(c -> c.substring(0, c.indexOf(' '))).toList();
  }
}
