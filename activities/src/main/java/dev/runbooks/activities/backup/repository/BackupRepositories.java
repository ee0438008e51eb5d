package dev.runbooks.activities.backup.repository;

import dev.runbooks.activities.config.InvalidSpecException;
import dev.runbooks.activities.config.RepositorySpec;
import java.util.Map;

/** Opens the repository a configuration names: a directory or an S3 bucket. */
public final class BackupRepositories {
  private BackupRepositories() {}

  /** The repository {@code spec} names, with AWS settings from the environment. */
  public static BackupRepository open(RepositorySpec spec) {
    return open(spec, System.getenv());
  }

  /**
   * The repository {@code spec} names, with the AWS environment variables given.
   *
   * @throws IllegalArgumentException when there is none, or an S3 option is wrong
   */
  public static BackupRepository open(RepositorySpec spec, Map<String, String> env) {
    if (spec instanceof RepositorySpec.S3 s3) {
      return S3Repository.open(S3Settings.of(s3, env));
    }
    if (spec instanceof RepositorySpec.Directory directory) {
      return new FileRepository(directory.path());
    }
    throw usage("nothing");
  }

  /**
   * The repository at {@code uri} ({@code file:///absolute/directory} or {@code
   * s3://bucket/prefix}), with AWS settings from the environment.
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
    RepositorySpec spec;
    try {
      spec = RepositorySpec.parse(uri, null);
    } catch (InvalidSpecException e) {
      throw usage(S3Settings.redact(uri) + " (" + e.problem() + ")");
    }
    if (spec instanceof RepositorySpec.Directory directory && !directory.path().isAbsolute()) {
      throw usage(uri + " (a file repository is file:///absolute/directory)");
    }
    if (spec == null) {
      throw usage(S3Settings.redact(uri));
    }
    return open(spec, env);
  }

  private static IllegalArgumentException usage(String found) {
    return new IllegalArgumentException(
        "expected a backup repository file:///absolute/directory or s3://bucket/prefix, found "
            + found);
  }
}
