package dev.runbooks.workflows.migration;

import java.util.Objects;

/**
 * @param to the version to migrate to; null for the newest
 */
public record MigrationInput(String target, String to, String idempotencyKey) {
  public MigrationInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
