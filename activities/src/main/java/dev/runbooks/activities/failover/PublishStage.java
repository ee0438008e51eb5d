package dev.runbooks.activities.failover;

import dev.runbooks.activities.config.Endpoint;
import dev.runbooks.activities.config.FailoverConfig;
import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.activities.secrets.SecretNotFoundException;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.workflows.failover.Publication;
import dev.runbooks.workflows.failover.PublishInput;
import dev.runbooks.workflows.shared.SecretRef;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The failover's publish step: the new primary's endpoint stored in the secret store (once per run:
 * a retry finds its own record), then the configured hook command run with it.
 */
final class PublishStage {
  private final FailoverTargets targets;
  private final SecretStore secrets;
  private final Clock clock;

  PublishStage(FailoverTargets targets, SecretStore secrets, Clock clock) {
    this.targets = targets;
    this.secrets = secrets;
    this.clock = clock;
  }

  Publication publish(PublishInput input) {
    FailoverConfig config = targets.settings(input.target());
    Endpoint to = targets.endpoint(input.target(), input.newPrimary());
    String path = config.endpointSecret();
    Map<String, String> record = new LinkedHashMap<>();
    record.put("target", input.target());
    record.put("primary", input.newPrimary());
    record.put("host", to.host());
    record.put("port", Integer.toString(to.port()));
    record.put("database", to.database());
    record.put("sslmode", to.sslmode());
    record.put("timeline", Integer.toString(input.timeline()));
    record.put("runId", input.runId());
    int version = storedVersion(path, input.runId());
    if (version == 0) {
      record.put("publishedAt", clock.instant().toString());
      version = secrets.write(path, record, OptionalInt.empty());
    }
    String hook = "";
    if (!config.hook().isEmpty()) {
      hook = Hooks.run(config.hook(), record, path);
    }
    return new Publication(path, version, to.toString(), hook);
  }

  /** The version of the record this run stored already (a retry), or 0. */
  private int storedVersion(String path, String runId) {
    try {
      Secret latest = secrets.read(SecretRef.latest(path));
      return runId.equals(latest.data().get("runId")) ? latest.version() : 0;
    } catch (SecretNotFoundException e) {
      return 0;
    }
  }
}
