package dev.runbooks.workflows.shared;

import io.temporal.workflow.Functions;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The rollbacks and cleanups a run registered so far, run in reverse order when it fails or is
 * aborted. Deterministic workflow code only.
 */
final class Compensations {
  private static final Logger log = Workflow.getLogger(Compensations.class);

  private record Compensation(String step, Functions.Func<Undone> undo, boolean cleanup) {}

  private final List<Compensation> registered = new ArrayList<>();

  /**
   * @param cleanup tidying-up that changes nothing the run set out to change, rather than a
   *     rollback
   */
  void add(String step, Functions.Proc undo, boolean cleanup) {
    add(
        step,
        () -> {
          undo.apply();
          return new Undone(true, null);
        },
        cleanup);
  }

  /** A rollback that says what it did: one that undid nothing counts as tidying-up. */
  void add(String step, Functions.Func<Undone> undo, boolean cleanup) {
    registered.add(new Compensation(step, undo, cleanup));
  }

  /** What {@code step} did is final: drop what was registered for it. */
  void settled(String step) {
    registered.removeIf(c -> c.step().equals(step));
  }

  /**
   * {@code step} was refused on bad input, which the activities check before they change anything:
   * what was registered to undo it still runs, as tidying-up, so a run that changed nothing never
   * reports a rollback.
   */
  void refused(String step) {
    registered.replaceAll(
        c -> c.step().equals(step) ? new Compensation(c.step(), c.undo(), true) : c);
  }

  /**
   * Runs every compensation, newest first, each even when an earlier one failed, and forgets them.
   *
   * @param rolledBack told of each step whose rollback ran
   */
  Compensated run(Consumer<String> rolledBack) {
    List<String> undone = new ArrayList<>();
    List<String> cleanedUp = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (int i = registered.size() - 1; i >= 0; i--) {
      Compensation c = registered.get(i);
      try {
        Undone did = c.undo().apply();
        if (did != null && did.note() != null) {
          notes.add(did.note());
        }
        if (c.cleanup() || (did != null && !did.anything())) {
          cleanedUp.add(c.step());
        } else {
          undone.add(c.step());
          rolledBack.accept(c.step());
        }
      } catch (RuntimeException e) {
        log.error("compensation of step {} failed: {}", c.step(), Failures.describe(e));
        failed.add(c.step() + " (" + Failures.describe(e) + ")");
      }
    }
    registered.clear();
    return new Compensated(undone, cleanedUp, failed, notes);
  }
}
