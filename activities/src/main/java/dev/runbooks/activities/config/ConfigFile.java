package dev.runbooks.activities.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading the configuration file, with what to do when it cannot be read. */
final class ConfigFile {
  private ConfigFile() {}

  /**
   * The bytes of {@code file}.
   *
   * @throws ConfigException when it is missing, a directory or unreadable, saying what to do
   */
  static byte[] read(Path file) {
    if (Files.isDirectory(file)) {
      throw new ConfigException(
          file,
          null,
          "is a directory, not a configuration file",
          "pass the YAML file itself, for example --config "
              + file.resolve(ConfigLoader.DEFAULT_FILE)
              + ".");
    }
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          file,
          null,
          "no such file (looked for " + file.toAbsolutePath() + ")",
          "create it (runbooks/examples/runbooks.yaml is a start), or point to yours with --config"
              + " FILE or the "
              + ConfigLoader.ENV_CONFIG
              + " environment variable.",
          e);
    } catch (AccessDeniedException e) {
      throw new ConfigException(
          file,
          null,
          "cannot be read: permission denied",
          "run as a user who can read it, or give that user read permission (chmod/chown).",
          e);
    } catch (IOException e) {
      throw new ConfigException(
          file,
          null,
          "cannot be read: " + e.getMessage(),
          "check that the file exists and is readable.",
          e);
    }
  }
}
