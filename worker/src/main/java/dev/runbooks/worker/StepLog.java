package dev.runbooks.worker;

import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One log line per activity (step) a worker runs: its type, how long it took, and how it ended;
 * with {@code Target} in the MDC beside the SDK's {@code WorkflowId}, {@code RunId} and {@code
 * ActivityType}, so a JSON log line names the run, the step and the database. Its logger, {@code
 * dev.runbooks.steps}, is what a worker shows at its default level.
 */
final class StepLog extends WorkerInterceptorBase {
  static final String LOGGER = "dev.runbooks.steps";
  static final String TARGET_KEY = "Target";

  private static final Logger log = LoggerFactory.getLogger(LOGGER);

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      private ActivityExecutionContext context;

      @Override
      public void init(ActivityExecutionContext context) {
        this.context = context;
        super.init(context);
      }

      @Override
      public ActivityOutput execute(ActivityInput input) {
        String type = context.getInfo().getActivityType();
        String target = target(input.getArguments());
        if (target != null) {
          MDC.put(TARGET_KEY, target);
        }
        long start = System.nanoTime();
        try {
          ActivityOutput output = super.execute(input);
          log.info("{} done in {} ms", type, (System.nanoTime() - start) / 1_000_000);
          return output;
        } catch (RuntimeException e) {
          log.warn(
              "{} failed after {} ms (attempt {}): {}",
              type,
              (System.nanoTime() - start) / 1_000_000,
              context.getInfo().getAttempt(),
              RootCause.message(e));
          throw e;
        } finally {
          MDC.remove(TARGET_KEY);
        }
      }
    };
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
