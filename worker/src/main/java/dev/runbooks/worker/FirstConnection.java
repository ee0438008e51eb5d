package dev.runbooks.worker;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The first connection to Temporal, tried again with backoff: a loaded machine may answer the
 * health check late, and a server that is starting refuses connections for a while. A server that
 * answers nothing within the timeout, or a port where nothing listens after the retries, ends in a
 * {@link TemporalUnreachableException} that says which of the two it was.
 */
final class FirstConnection {
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final int PROBE_TIMEOUT = 2000;

  /** Why an attempt failed, as the message tells the operator. */
  enum Failure {
    REFUSED,
    TIMED_OUT,
    UNKNOWN_HOST,
    OTHER
  }

  private final WorkflowServiceStubsOptions options;
  private final String address;
  private final String namespace;
  private final Duration timeout;
  private final Duration retryFor;
  private final Consumer<String> onRetry;

  /**
   * @param timeout how long one attempt waits for the server's answer
   * @param retryFor how long failed attempts are tried again; zero tries once
   * @param onRetry told, in one line, why an attempt failed and when the next comes
   */
  FirstConnection(
      WorkflowServiceStubsOptions options,
      String address,
      String namespace,
      Duration timeout,
      Duration retryFor,
      Consumer<String> onRetry) {
    this.options = options;
    this.address = address;
    this.namespace = namespace;
    this.timeout = timeout;
    this.retryFor = retryFor;
    this.onRetry = onRetry;
  }

  WorkflowServiceStubs open() {
    long giveUpAt = System.nanoTime() + retryFor.toNanos();
    Duration backoff = FIRST_BACKOFF;
    while (true) {
      RuntimeException failure;
      try {
        refuseFast();
        return WorkflowServiceStubs.newConnectedServiceStubs(options, timeout);
      } catch (RuntimeException e) {
        failure = e;
      }
      Failure kind = classify(failure);
      boolean again =
          kind != Failure.UNKNOWN_HOST && System.nanoTime() + backoff.toNanos() < giveUpAt;
      if (!again) {
        throw new TemporalUnreachableException(
            address, namespace, explain(kind), fix(kind), failure);
      }
      onRetry.accept(
          "Temporal at "
              + address
              + ": "
              + explain(kind)
              + "; trying again in "
              + backoff.toMillis()
              + " ms.");
      sleep(backoff);
      backoff =
          backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
              ? MAX_BACKOFF
              : backoff.multipliedBy(2);
    }
  }

  /**
   * The SDK's health check waits for the channel to become ready, so a refused connection would
   * only fail at the end of the timeout. A plain TCP connect tells it at once; any other outcome
   * (even a timeout: a proxy may be in the way) leaves the verdict to the health check.
   */
  private void refuseFast() {
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon).replace("[", "").replace("]", "");
    int port = Integer.parseInt(address.substring(colon + 1));
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), PROBE_TIMEOUT);
    } catch (ConnectException e) {
      throw new IllegalStateException("connection refused", e);
    } catch (IOException | IllegalArgumentException e) {
      // Unresolved, unroutable, slow: the health check says what it is.
    }
  }

  static Failure classify(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectException) {
        return Failure.REFUSED;
      }
      if (t instanceof UnknownHostException) {
        return Failure.UNKNOWN_HOST;
      }
      if (t instanceof StatusRuntimeException) {
        Status.Code code = ((StatusRuntimeException) t).getStatus().getCode();
        if (code == Status.Code.DEADLINE_EXCEEDED) {
          return Failure.TIMED_OUT;
        }
      }
      String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (message.contains("connection refused")) {
        return Failure.REFUSED;
      }
      if (message.contains("unresolved address") || message.contains("unknownhost")) {
        return Failure.UNKNOWN_HOST;
      }
      if (message.contains("deadline exceeded") || message.contains("deadline_exceeded")) {
        return Failure.TIMED_OUT;
      }
    }
    return Failure.OTHER;
  }

  private String explain(Failure kind) {
    switch (kind) {
      case REFUSED:
        return "nothing listens there (connection refused)";
      case TIMED_OUT:
        return "it did not answer within "
            + timeout.toSeconds()
            + " s (a server there may be overloaded or starting: raise --connect-timeout or"
            + " TEMPORAL_CONNECT_TIMEOUT)";
      case UNKNOWN_HOST:
        return "the host name does not resolve";
      default:
        return "the connection failed";
    }
  }

  private static String fix(Failure kind) {
    switch (kind) {
      case TIMED_OUT:
        return "If the server is up and busy, give it longer (--connect-timeout 2m); otherwise check"
            + " the address, a firewall, and TLS settings (a TLS server does not answer plain text).";
      case UNKNOWN_HOST:
        return "Check the host name in --temporal / TEMPORAL_ADDRESS.";
      default:
        return "Start a server there (runbook dev starts an embedded one on 127.0.0.1:7233), or point"
            + " --temporal / TEMPORAL_ADDRESS at a running one.";
    }
  }

  private static void sleep(Duration backoff) {
    try {
      Thread.sleep(backoff.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to connect to Temporal", e);
    }
  }
}
