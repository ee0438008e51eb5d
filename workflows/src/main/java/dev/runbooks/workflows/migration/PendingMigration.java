package dev.runbooks.workflows.migration;

import java.util.Objects;

/**
 * One migration that is not applied yet.
 *
 * @param script the {@code V<version>__<description>.sql} file name
 * @param downScript its {@code U<version>__*.sql}; null when it is marked irreversible
 * @param verifyScript its {@code verify/V<version>__*.sql}; null when it has none
 */
public record PendingMigration(
    String version,
    String description,
    String script,
    String downScript,
    boolean irreversible,
    String verifyScript) {
  public PendingMigration {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(script, "script");
  }
}
