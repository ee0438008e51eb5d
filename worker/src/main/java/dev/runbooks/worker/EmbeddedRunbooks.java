package dev.runbooks.worker;

import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.RunbooksConfig;

/**
 * Everything in one process: the in-memory Temporal service, a client, and a worker serving the
 * configuration's targets. {@code runbook dev}, {@code demo} and {@code --embedded} run on it.
 */
public final class EmbeddedRunbooks implements AutoCloseable {
  private final EmbeddedTemporal temporal;
  private final TemporalConnection connection;
  private final RunbookWorker worker;
  private boolean closed;

  private EmbeddedRunbooks(
      EmbeddedTemporal temporal, TemporalConnection connection, RunbookWorker worker) {
    this.temporal = temporal;
    this.connection = connection;
    this.worker = worker;
  }

  /**
   * Starts the service on 127.0.0.1:{@code port} ({@code 0}: a free port) and a worker on {@code
   * taskQueue}.
   */
  public static EmbeddedRunbooks start(int port, RunbooksConfig config, String taskQueue) {
    return start(port, config, taskQueue, null);
  }

  /**
   * As {@link #start(int, RunbooksConfig, String)}, with {@code pollers} (null: none) shown every
   * poll of a task queue, this process's worker's included.
   */
  public static EmbeddedRunbooks start(
      int port, RunbooksConfig config, String taskQueue, Pollers pollers) {
    return start(port, ConfigSource.fixed(config), taskQueue, pollers);
  }

  /**
   * As {@link #start(int, RunbooksConfig, String, Pollers)}, with the configuration {@code source}
   * gives: {@code runbook dev} passes one that follows edits, so its run history survives them.
   */
  public static EmbeddedRunbooks start(
      int port, ConfigSource source, String taskQueue, Pollers pollers) {
    EmbeddedTemporal temporal = EmbeddedTemporal.start(port, pollers);
    TemporalConnection connection = null;
    try {
      connection =
          temporal.connect(
              new TemporalConnection.Client(
                  PayloadConverters.forConfig(source.latest().config()), null));
      RunbookWorker worker =
          RunbookWorker.start(
              connection.client(),
              taskQueue,
              Activities.build(source, connection.client(), taskQueue));
      return new EmbeddedRunbooks(temporal, connection, worker);
    } catch (RuntimeException e) {
      if (connection != null) {
        connection.close();
      }
      temporal.close();
      throw e;
    }
  }

  public EmbeddedTemporal temporal() {
    return temporal;
  }

  /** A client connection for starting and following runs. */
  public TemporalConnection connection() {
    return connection;
  }

  public RunbookWorker worker() {
    return worker;
  }

  /** Stops the worker, then the service. Safe to call twice (a shutdown hook and a finally). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    worker.close();
    connection.close();
    temporal.close();
  }
}
