package dev.runbooks.cli;

import dev.runbooks.activities.check.CheckActivitiesImpl;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.check.CheckResult;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.shared.Step;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a run used the configuration this client has. The worker's configuration is the one in
 * force (a client's {@code --config} only validates what it asks for), so when the two differ the
 * user is told which file, which digest, and whether the target's primary differs. Never silent.
 */
final class ConfigDrift {
  private static final Pattern WORKER =
      Pattern.compile(
          Pattern.quote(CheckActivitiesImpl.CONFIGURATION)
              + "(.+) \\(digest ([0-9a-z-]+)\\), primary (\\S+?)(?: \\(\\+\\d+ more\\))?$");

  /** What the worker's connectivity finding says it used. */
  record Worker(String file, String digest, String primary) {}

  private ConfigDrift() {}

  /** The configuration the worker reported in the run's connectivity finding, if it did. */
  static Optional<Worker> worker(CheckResult result) {
    if (result == null) {
      return Optional.empty();
    }
    return worker(result.findings().stream().map(Finding::summary).toList());
  }

  /** The configuration the worker reported in a step's detail (a preflight's), if it did. */
  static Optional<Worker> worker(RunState end) {
    if (end.progress() == null) {
      return Optional.empty();
    }
    return worker(end.progress().steps().stream().map(Step::detail).toList());
  }

  private static Optional<Worker> worker(List<String> texts) {
    for (String text : texts) {
      Matcher m = WORKER.matcher(text == null ? "" : text);
      if (m.find()) {
        return Optional.of(new Worker(m.group(1), m.group(2), m.group(3)));
      }
    }
    return Optional.empty();
  }

  /**
   * What to tell the user when the worker used another configuration than {@code client}, or empty
   * when both have the same digest.
   */
  static Optional<String> note(Worker worker, RunbooksConfig client, String target) {
    String mine = ConfigSource.digest(client.file());
    if (worker.digest().equals(mine)) {
      return Optional.empty();
    }
    String key = "targets." + target + ".primary";
    String yours = client.target(target).primary().toString();
    String where =
        worker.primary().equals(yours)
            ? "they agree on " + key + " (" + yours + ")"
            : "they differ in "
                + key
                + ": the worker's is "
                + worker.primary()
                + ", yours is "
                + yours;
    return Optional.of(
        "NOTE: the worker's configuration is the one in force: the worker uses "
            + ConfigSource.Version.describe(Path.of(worker.file()), worker.digest())
            + "; yours, "
            + ConfigSource.Version.describe(client.file(), mine)
            + ", differs from it, and "
            + where
            + ". To run with yours, start the worker with --config "
            + client.file().toAbsolutePath()
            + " (or edit "
            + worker.file()
            + "; the worker picks it up on the next run), or add --embedded.");
  }

  /**
   * What to tell a user who passed {@code --config} and does not follow the run, so cannot be shown
   * the worker's digest: that their file is not the one the run uses, and where to look.
   *
   * @param explicit the value of {@code --config}, or null when it was not given
   */
  static Optional<String> unfollowed(Path explicit, String workflowId) {
    if (explicit == null) {
      return Optional.empty();
    }
    return Optional.of(
        "NOTE: --config "
            + explicit
            + " only checked this request: the worker runs it with its own configuration."
            + " The first step's detail names the worker's file and digest: runbook status "
            + workflowId);
  }
}
