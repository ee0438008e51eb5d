package dev.runbooks.cli;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --config}: the runbooks configuration, for commands that read it. */
final class ConfigOption {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "The runbooks configuration. Default: $RUNBOOKS_CONFIG, else ./runbooks.yaml.")
  Path config;

  Path configFile(Map<String, String> env) {
    return ConfigLoader.locate(config == null ? null : config.toString(), env);
  }

  RunbooksConfig loadConfig(Map<String, String> env) {
    return ConfigLoader.load(configFile(env), env);
  }
}
