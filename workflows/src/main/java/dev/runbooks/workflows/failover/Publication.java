package dev.runbooks.workflows.failover;

import java.util.Objects;

/**
 * @param path where the endpoint record is in the secret store
 * @param version the record's version holding the new endpoint
 * @param endpoint {@code host:port/database} of the new primary
 * @param hook what the hook command did; empty when none is configured
 */
public record Publication(String path, int version, String endpoint, String hook) {
  public Publication {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(hook, "hook");
  }
}
