package dev.runbooks.worker;

import io.temporal.activity.ActivityInfo;
import java.lang.reflect.Method;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One log line per activity (step) a worker runs: its type, how long it took, and how it ended;
 * with {@code Target} in the MDC beside the SDK's {@code WorkflowId}, {@code RunId} and {@code
 * ActivityType}, so a JSON log line names the run, the step and the database. Its logger, {@code
 * dev.runbooks.steps}, is what a worker shows at its default level.
 */
final class StepLog extends StepInterceptor {
  static final String LOGGER = "dev.runbooks.steps";
  static final String TARGET_KEY = "Target";

  private static final Logger log = LoggerFactory.getLogger(LOGGER);

  @Override
  protected void starting(ActivityInfo info, Object[] arguments) {
    String target = target(arguments);
    if (target != null) {
      MDC.put(TARGET_KEY, target);
    }
  }

  @Override
  protected void ended(ActivityInfo info, Duration took, Throwable failure) {
    if (failure == null) {
      log.info("{} done in {} ms", info.getActivityType(), took.toMillis());
    } else {
      log.warn(
          "{} failed after {} ms (attempt {}): {}",
          info.getActivityType(),
          took.toMillis(),
          info.getAttempt(),
          RootCause.message(failure));
    }
  }

  @Override
  protected void finished() {
    MDC.remove(TARGET_KEY);
  }

  /** The {@code target()} of the first argument that has one (the runbooks' input records). */
  static String target(Object[] arguments) {
    for (Object argument : arguments) {
      if (argument == null || !argument.getClass().isRecord()) {
        continue;
      }
      try {
        Method target = argument.getClass().getMethod("target");
        Object value = target.invoke(argument);
        if (value instanceof String) {
          return (String) value;
        }
      } catch (ReflectiveOperationException e) {
        // This input names no target.
      }
    }
    return null;
  }
}
