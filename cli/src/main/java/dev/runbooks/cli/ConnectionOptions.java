package dev.runbooks.cli;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.worker.RunbookWorker;
import dev.runbooks.worker.TemporalConnection;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options every command shares: where the configuration and Temporal are, how to print. */
final class ConnectionOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "The runbooks configuration. Default: $RUNBOOKS_CONFIG, else ./runbooks.yaml.")
  Path config;

  @Option(
      names = "--temporal",
      paramLabel = "HOST:PORT",
      description =
          "The Temporal frontend. Default: Temporal's environment configuration"
              + " ($TEMPORAL_ADDRESS, the temporal.toml profile), else 127.0.0.1:7233.")
  String temporal;

  @Option(
      names = "--namespace",
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
      names = "--output",
      paramLabel = "text|json",
      defaultValue = "text",
      description = "text (default) or json.")
  Output output;

  Path configFile(Map<String, String> env) {
    return ConfigLoader.locate(config == null ? null : config.toString(), env);
  }

  RunbooksConfig loadConfig(Map<String, String> env) {
    return ConfigLoader.load(configFile(env), env);
  }

  TemporalConnection connect(Map<String, String> env) {
    return TemporalConnection.connect(
        new TemporalConnection.Overrides(temporal, namespace, tlsCert, tlsKey, tlsCa), env);
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
    return output == Output.JSON;
  }
}
