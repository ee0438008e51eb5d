package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.worker.PayloadConverters;
import dev.runbooks.worker.RunbookWorker;
import dev.runbooks.worker.TemporalConnection;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The options every command shares: where the configuration and Temporal are, how to print. */
final class ConnectionOptions {
  static final String CONNECT_TIMEOUT_ENV = "TEMPORAL_CONNECT_TIMEOUT";

  @Mixin ConfigOption configOption;
  @Mixin OutputOption outputOption;

  @Option(
      names = "--temporal",
      paramLabel = "HOST:PORT",
      description =
          "The Temporal frontend. Default: Temporal's environment configuration"
              + " ($TEMPORAL_ADDRESS, the temporal.toml profile), else 127.0.0.1:7233.")
  String temporal;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description =
          "Temporal namespace. Default: $TEMPORAL_NAMESPACE or the profile's, else default.")
  String namespace;

  @Option(
      names = "--task-queue",
      paramLabel = "QUEUE",
      description = "The task queue workers poll and runs start on. Default: runbooks.")
  String taskQueue;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "Client certificate (PEM) for mutual TLS with Temporal; needs --tls-key.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "The client certificate's private key (PEM).")
  Path tlsKey;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description = "CA certificate (PEM) that signed Temporal's server certificate.")
  Path tlsCa;

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long Temporal may take to answer the first call (30s, 2m). Default:"
              + " $TEMPORAL_CONNECT_TIMEOUT, else 30s.")
  Duration connectTimeout;

  /** {@code --config} as given, or null. */
  Path config() {
    return configOption.config;
  }

  Path configFile(Map<String, String> env) {
    return configOption.configFile(env);
  }

  RunbooksConfig loadConfig(Map<String, String> env) {
    return configOption.loadConfig(env);
  }

  /**
   * A client connection: every start, update, signal and cancellation it makes names the user
   * ({@link Identity}), which {@code runbook audit} reads back from the histories.
   */
  TemporalConnection connect(Map<String, String> env) {
    return connectAs(env, TemporalConnection.Patience.client(), Identity.user(env));
  }

  /** A worker's connection: its pollers keep Temporal's identity (process id and host). */
  TemporalConnection connect(Map<String, String> env, TemporalConnection.Patience patience) {
    return connectAs(env, patience, null);
  }

  private TemporalConnection connectAs(
      Map<String, String> env, TemporalConnection.Patience patience, String identity) {
    return TemporalConnection.connect(
        new TemporalConnection.Overrides(
            temporal, namespace, tlsCert, tlsKey, tlsCa, connectTimeout(env)),
        env,
        patience,
        new TemporalConnection.Client(converter(env), identity));
  }

  /**
   * The configuration's payload converter, so that runs started here are encrypted as the worker
   * expects and their payloads read back in plain text. Without a configuration file, Temporal's
   * default: payloads that are not encrypted still read, an encrypted one fails naming its key.
   */
  private DataConverter converter(Map<String, String> env) {
    Path file = configFile(env);
    if (!Files.isRegularFile(file)) {
      return DefaultDataConverter.STANDARD_INSTANCE;
    }
    return PayloadConverters.forConfig(loadConfig(env));
  }

  /**
   * As {@link #connect(Map, TemporalConnection.Patience)}, the SDK's metrics to {@code metrics}.
   */
  TemporalConnection connect(
      Map<String, String> env,
      TemporalConnection.Patience patience,
      com.uber.m3.tally.Scope metrics) {
    return TemporalConnection.connect(
        new TemporalConnection.Overrides(
            temporal, namespace, tlsCert, tlsKey, tlsCa, connectTimeout(env)),
        env,
        patience,
        new TemporalConnection.Client(converter(env), null),
        metrics);
  }

  private Duration connectTimeout(Map<String, String> env) {
    String value = env.get(CONNECT_TIMEOUT_ENV);
    if (connectTimeout != null || value == null || value.isBlank()) {
      return connectTimeout;
    }
    try {
      return new DurationConverter().convert(value);
    } catch (TypeConversionException e) {
      throw new UsageException(CONNECT_TIMEOUT_ENV + ": " + e.getMessage() + ", or unset it.");
    }
  }

  String taskQueue() {
    if (taskQueue == null) {
      return RunbookWorker.DEFAULT_TASK_QUEUE;
    }
    if (taskQueue.isBlank()) {
      throw new UsageException("--task-queue is empty: give a queue name, or leave it out.");
    }
    return taskQueue;
  }

  boolean json() {
    return outputOption.json();
  }

  /** See {@link OutputOption#textOnly}. */
  void textOnly(String command, String instead) {
    outputOption.textOnly(command, instead);
  }
}
