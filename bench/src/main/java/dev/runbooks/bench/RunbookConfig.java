package dev.runbooks.bench;

import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The runbooks.yaml a benchmark writes for its throwaway cluster: targets reached as its superuser
 * over TCP without TLS, and the settings that follow them (repository, encryption).
 */
final class RunbookConfig {
  private final StringBuilder yaml;

  /** A configuration that starts with {@code header} (comment lines, or nothing). */
  RunbookConfig(String header) {
    this.yaml = new StringBuilder(header).append("targets:\n");
  }

  /**
   * A target on {@code cluster}'s {@code database}, not production, its admin the superuser; {@code
   * more} are further lines of the target ({@code "migrations: DIR"}).
   */
  RunbookConfig target(String name, LocalCluster cluster, String database, String... more) {
    yaml.append("  ")
        .append(name)
        .append(":\n    primary: { host: ")
        .append(LocalCluster.HOST)
        .append(", port: ")
        .append(cluster.port())
        .append(", database: ")
        .append(database)
        .append(", sslmode: disable }\n    admin: { user: ")
        .append(LocalCluster.SUPERUSER)
        .append(" }\n    production: false\n");
    for (String line : more) {
      yaml.append("    ").append(line).append('\n');
    }
    return this;
  }

  /** A top-level setting after the targets ({@code "repository: file://..."}). */
  RunbookConfig setting(String line) {
    yaml.append(line).append('\n');
    return this;
  }

  Path write(Path file) {
    try {
      return Files.writeString(file, yaml.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
  }
}
