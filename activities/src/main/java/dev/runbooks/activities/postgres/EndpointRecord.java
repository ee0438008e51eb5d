package dev.runbooks.activities.postgres;

import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.activities.secrets.SecretNotFoundException;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.workflows.shared.SecretRef;
import java.util.Map;
import java.util.Optional;

/**
 * The last primary the failover runbook published (its publish step), read back from the secret
 * store: which member, on which timeline, by which run.
 *
 * @param timeline 0 when the record does not say
 */
public record EndpointRecord(
    String path, int version, String primary, int timeline, String runId, String publishedAt) {

  /** The latest record at {@code path}, or empty when no failover published one. */
  static Optional<EndpointRecord> read(SecretStore secrets, String path) {
    Secret secret;
    try {
      secret = secrets.read(SecretRef.latest(path));
    } catch (SecretNotFoundException e) {
      return Optional.empty();
    }
    Map<String, String> data = secret.data();
    String primary = data.get("primary");
    if (primary == null || primary.isBlank()) {
      return Optional.empty();
    }
    int timeline;
    try {
      timeline = Integer.parseInt(data.getOrDefault("timeline", "0"));
    } catch (NumberFormatException e) {
      timeline = 0;
    }
    return Optional.of(
        new EndpointRecord(
            path,
            secret.version(),
            primary,
            timeline,
            data.getOrDefault("runId", "?"),
            data.getOrDefault("publishedAt", "?")));
  }

  /** For messages: {@code the endpoint record runbooks/endpoints/orders (version 3, run R)}. */
  public String describe() {
    return "the endpoint record "
        + path
        + " (version "
        + version
        + ", run "
        + runId
        + ", "
        + publishedAt
        + ")";
  }
}
