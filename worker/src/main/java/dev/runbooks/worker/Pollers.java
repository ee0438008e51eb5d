package dev.runbooks.worker;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.temporal.api.enums.v1.TaskQueueKind;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.PollActivityTaskQueueRequest;
import io.temporal.api.workflowservice.v1.PollWorkflowTaskQueueRequest;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Sees who polls the embedded service's task queues. The in-memory service answers
 * DescribeTaskQueue with UNIMPLEMENTED, so its pollers cannot be asked for; they are watched on the
 * wire instead: each worker identity is reported once per task queue, the first time it polls.
 */
public final class Pollers implements ServerInterceptor {
  private final BiConsumer<String, String> onNewPoller;
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  /**
   * @param onNewPoller called with (worker identity, task queue) the first time that identity polls
   *     that queue; on a gRPC thread, so it must be quick
   */
  public Pollers(BiConsumer<String, String> onNewPoller) {
    this.onNewPoller = onNewPoller;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    boolean poll =
        method.equals(WorkflowServiceGrpc.getPollWorkflowTaskQueueMethod().getFullMethodName())
            || method.equals(
                WorkflowServiceGrpc.getPollActivityTaskQueueMethod().getFullMethodName());
    ServerCall.Listener<Q> listener = next.startCall(call, headers);
    if (!poll) {
      return listener;
    }
    return new SimpleForwardingServerCallListener<Q>(listener) {
      @Override
      public void onMessage(Q message) {
        if (message instanceof PollWorkflowTaskQueueRequest p) {
          seen(p.getIdentity(), p.getTaskQueue());
        } else if (message instanceof PollActivityTaskQueueRequest p) {
          seen(p.getIdentity(), p.getTaskQueue());
        }
        super.onMessage(message);
      }
    };
  }

  /** A worker's own sticky queue is not reported: only the queues runs are started on. */
  private void seen(String identity, TaskQueue taskQueue) {
    if (taskQueue.getKind() != TaskQueueKind.TASK_QUEUE_KIND_STICKY
        && seen.add(identity + "\n" + taskQueue.getName())) {
      onNewPoller.accept(identity, taskQueue.getName());
    }
  }
}
