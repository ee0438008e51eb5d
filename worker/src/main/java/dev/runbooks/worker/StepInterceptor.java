package dev.runbooks.worker;

import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import java.time.Duration;

/**
 * Watches each step (activity attempt) a worker runs: {@link #starting} before it, {@link #ended}
 * with how long it took and how it ended, {@link #finished} after, however it ended. The step log
 * and the metrics' step timer are two of these.
 */
public abstract class StepInterceptor extends WorkerInterceptorBase {
  /** Before the step runs, with its arguments; nothing by default. */
  protected void starting(ActivityInfo info, Object[] arguments) {}

  /**
   * The step ended after {@code took}: {@code failure} is null when it succeeded, else what it
   * threw (thrown on after this returns).
   */
  protected abstract void ended(ActivityInfo info, Duration took, Throwable failure);

  /** After {@link #ended}, however the step ended; nothing by default. */
  protected void finished() {}

  @Override
  public final ActivityInboundCallsInterceptor interceptActivity(
      ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      private ActivityExecutionContext context;

      @Override
      public void init(ActivityExecutionContext context) {
        this.context = context;
        super.init(context);
      }

      @Override
      public ActivityOutput execute(ActivityInput input) {
        ActivityInfo info = context.getInfo();
        starting(info, input.getArguments());
        long start = System.nanoTime();
        try {
          ActivityOutput output = super.execute(input);
          ended(info, Duration.ofNanos(System.nanoTime() - start), null);
          return output;
        } catch (RuntimeException | Error e) {
          ended(info, Duration.ofNanos(System.nanoTime() - start), e);
          throw e;
        } finally {
          finished();
        }
      }
    };
  }
}
