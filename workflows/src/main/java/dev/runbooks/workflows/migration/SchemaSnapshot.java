package dev.runbooks.workflows.migration;

import java.util.Objects;

/**
 * A normalised {@code pg_dump --schema-only} of a target, by its hash: the text stays with the
 * worker that took it (it can be large), under {@code key}.
 */
public record SchemaSnapshot(String key, String sha256, int statements) {
  public SchemaSnapshot {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(sha256, "sha256");
  }
}
