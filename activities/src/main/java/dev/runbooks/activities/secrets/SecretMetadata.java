package dev.runbooks.activities.secrets;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A secret's versions, without values.
 *
 * @param currentVersion the latest version, the one a {@code SecretRef} without version reads
 * @param versions every version, oldest first
 */
public record SecretMetadata(String path, int currentVersion, List<Version> versions) {
  public SecretMetadata {
    Objects.requireNonNull(path, "path");
    versions = List.copyOf(versions);
  }

  /** One version: its number and when it was written. */
  public record Version(int version, Instant created) {
    public Version {
      Objects.requireNonNull(created, "created");
    }
  }
}
