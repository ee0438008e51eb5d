package dev.runbooks.activities.migration;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.workflows.shared.FailureType;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** What the migration activities need to know about a target besides its connections. */
public interface MigrationTargets {
  /**
   * The directory of the target's migrations.
   *
   * @throws io.temporal.failure.ApplicationFailure BAD_INPUT when the target has none configured
   */
  Path migrations(String target);

  /** Whether the target is production: then {@code --auto-approve} is refused. */
  boolean production(String target);

  /** The versions its configuration declares irreversible ({@code migrations.irreversible}). */
  default List<String> irreversible(String target) {
    return List.of();
  }

  static MigrationTargets fromConfig(RunbooksConfig config) {
    Objects.requireNonNull(config, "config");
    return new MigrationTargets() {
      @Override
      public Path migrations(String target) {
        TargetConfig t = target(target);
        if (t.migrations() == null) {
          throw FailureType.BAD_INPUT.failure(
              "target "
                  + target
                  + " has no migrations: directory in "
                  + config.file()
                  + "; add `migrations: path/to/migrations` under targets."
                  + target
                  + " and start again");
        }
        return t.migrations();
      }

      @Override
      public boolean production(String target) {
        return target(target).production();
      }

      @Override
      public List<String> irreversible(String target) {
        return target(target).irreversibleMigrations();
      }

      private TargetConfig target(String name) {
        try {
          return config.target(name);
        } catch (RuntimeException e) {
          throw FailureType.BAD_INPUT.failure(e.getMessage());
        }
      }
    };
  }
}
