package dev.runbooks.worker;

import dev.runbooks.activities.check.CheckActivitiesImpl;
import dev.runbooks.activities.check.CheckThresholds;
import dev.runbooks.activities.config.CheckSettings;
import dev.runbooks.activities.config.ConfigException;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.lock.TargetLockActivitiesImpl;
import dev.runbooks.activities.postgres.ConfiguredConnections;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.activities.secrets.SecretStores;
import io.temporal.client.WorkflowClient;
import java.util.List;

/**
 * The activity objects a worker registers, built in one place from the configuration: the
 * composition root of everything with side effects. A new runbook's activities are added here.
 */
public record Activities(List<Object> implementations) {
  public Activities {
    implementations = List.copyOf(implementations);
  }

  /**
   * Builds every activity object for a configuration.
   *
   * @param client the client the target-lock activities talk to the lock workflows through
   * @param taskQueue the queue lock workflows are started on: the worker's own
   * @throws ConfigException when the secret store the configuration names cannot be opened
   */
  public static Activities build(RunbooksConfig config, WorkflowClient client, String taskQueue) {
    SecretStore secrets = openSecrets(config);
    TargetConnections connections = new ConfiguredConnections(config, secrets);
    return new Activities(
        List.of(
            new CheckActivitiesImpl(connections, thresholds(config.check())),
            new TargetLockActivitiesImpl(client, taskQueue)));
  }

  /** The configured lag thresholds; the rest are the check's defaults. */
  static CheckThresholds thresholds(CheckSettings settings) {
    CheckThresholds defaults = CheckThresholds.defaults();
    return new CheckThresholds(
        settings.lagWarnBytes(),
        settings.lagCriticalBytes(),
        defaults.lagWarnTime(),
        defaults.connectionsWarnPercent(),
        defaults.connectionsCriticalPercent());
  }

  private static SecretStore openSecrets(RunbooksConfig config) {
    try {
      return SecretStores.open(config.secrets(), config.directory());
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ConfigException(
          config.file(),
          "secrets",
          e.getMessage(),
          "set secrets: to file:///path/secrets.json (or RUNBOOKS_SECRETS), then start again.",
          e);
    }
  }
}
