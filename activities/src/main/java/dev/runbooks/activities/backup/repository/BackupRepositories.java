package dev.runbooks.activities.backup.repository;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens the repository a configuration names: {@code file:///dir} or {@code s3://bucket/prefix}.
 */
public final class BackupRepositories {
  private BackupRepositories() {}

  /**
   * The repository at {@code uri}, with AWS settings from the environment.
   *
   * @throws IllegalArgumentException naming the problem and the expected forms
   */
  public static BackupRepository open(String uri) {
    return open(uri, System.getenv());
  }

  /** As {@link #open(String)}, with the environment variables given. */
  public static BackupRepository open(String uri, Map<String, String> env) {
    if (uri == null || uri.isBlank()) {
      throw usage("nothing");
    }
    if (uri.startsWith("s3://")) {
      return S3Repository.open(S3Settings.fromUri(uri, env));
    }
    if (uri.startsWith("file:")) {
      URI parsed;
      try {
        parsed = URI.create(uri);
      } catch (IllegalArgumentException e) {
        throw usage(uri + " (" + e.getMessage() + ")");
      }
      if (parsed.getRawQuery() != null
          || parsed.getRawFragment() != null
          || (parsed.getAuthority() != null && !parsed.getAuthority().isEmpty())
          || parsed.getPath() == null
          || !parsed.getPath().startsWith("/")) {
        throw usage(uri + " (a file repository is file:///absolute/directory)");
      }
      return new FileRepository(Path.of(parsed.getPath()));
    }
    throw usage(S3Settings.redact(uri));
  }

  private static IllegalArgumentException usage(String found) {
    return new IllegalArgumentException(
        "expected a backup repository file:///absolute/directory or s3://bucket/prefix, found "
            + found);
  }
}
