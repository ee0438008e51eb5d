package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.worker.TemporalSettingsException;
import dev.runbooks.worker.TemporalUnreachableException;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a command that starts a runbook does once it has prepared the run, the same for each: start
 * it, then print its ID and return, or follow it to its end and print its report.
 */
final class Launcher {
  /** A run followed to its end: its final state and, when it completed, its result. */
  record Finished<R>(RunState end, R result) {}

  /** How a runbook's result is shown. */
  interface Report<R> {
    /** The result as text; called only when the run completed. */
    void printText(R result, PrintWriter out);

    /** The result as text, with the run's end at hand; by default the result alone. */
    default void printText(Finished<R> finished, PrintWriter out) {
      printText(finished.result(), out);
    }

    /** The result's fields for JSON; called only when the run completed. */
    Map<String, Object> json(R result);

    /**
     * More fields for the JSON of a run that did not complete (a failed or rolled-back run), such
     * as what it left behind; by default none.
     */
    default Map<String, Object> endJson(WorkflowClient client, RunState end) {
      return Map.of();
    }

    /** What a run that did not complete left behind, as text; by default nothing. */
    default void printEnd(WorkflowClient client, RunState end, PrintWriter out) {}

    /** The exit code: the run's own unless the result says worse. */
    default int exitCode(Finished<R> finished) {
      return finished.end().exitCode();
    }
  }

  private final RunbookCommand root;
  private final ConnectionOptions connection;
  private final PrintWriter out;
  private final PrintWriter err;

  Launcher(RunbookCommand root, ConnectionOptions connection, PrintWriter out, PrintWriter err) {
    this.root = root;
    this.connection = connection;
    this.out = out;
    this.err = err;
  }

  /**
   * Starts {@code launch} where the options say: with {@code --embedded} on an in-memory Temporal
   * and worker of this process, followed to its end; otherwise on the configured Temporal.
   *
   * @return the exit code
   */
  <R> int run(
      RunbooksConfig config,
      RunOptions options,
      RunbookStarter.Launch launch,
      Class<R> resultType,
      Report<R> report)
      throws InterruptedException {
    if (options.embedded) {
      checkConfiguredLock(config, launch.plan());
      try (EmbeddedRunbooks local = EmbeddedRunbooks.start(0, config, connection.taskQueue())) {
        return run(config, local.connection(), true, launch, resultType, report);
      }
    }
    try (TemporalConnection temporal = connection.connect(root.env())) {
      return run(config, temporal, options.follow(), launch, resultType, report);
    }
  }

  /**
   * One mutating runbook per target whatever Temporal a run uses: the in-memory Temporal of an
   * embedded run cannot see the lock runs on the configured cluster hold, so that cluster is asked
   * first. When it cannot be asked, only a target marked {@code production: false} may go ahead.
   *
   * @throws TargetLockedException when a run on the configured cluster holds the target
   * @throws UnguardedTargetException when that cluster cannot be asked and the target is production
   */
  private void checkConfiguredLock(RunbooksConfig config, RunbookStarter.Plan plan) {
    if (!plan.kind().mutating()) {
      return;
    }
    TemporalConnection configured;
    try {
      configured = connection.connect(root.env());
    } catch (TemporalUnreachableException e) {
      refuseProduction(config, plan, "no Temporal answers at " + e.address(), e);
      return;
    } catch (TemporalSettingsException e) {
      refuseProduction(config, plan, e.getMessage(), e);
      return;
    }
    try (configured) {
      new RunbookStarter(configured.client(), connection.taskQueue(), Clock.systemUTC())
          .refuseWhenAnyHolds(plan);
    }
  }

  private static void refuseProduction(
      RunbooksConfig config, RunbookStarter.Plan plan, String problem, RuntimeException cause) {
    if (config.target(plan.target()).production()) {
      String requested = plan.kind().label() + " of " + plan.target();
      throw new UnguardedTargetException(requested, plan.target(), problem, cause);
    }
  }

  /**
   * Starts {@code launch} on {@code temporal}; then prints its ID and returns 0, or, when {@code
   * follow}, follows it and prints its report, and a NOTE when the worker ran it with another
   * configuration than {@code config}.
   *
   * @return the exit code
   */
  <R> int run(
      RunbooksConfig config,
      TemporalConnection temporal,
      boolean follow,
      RunbookStarter.Launch launch,
      Class<R> resultType,
      Report<R> report)
      throws InterruptedException {
    RunbookStarter starter =
        new RunbookStarter(temporal.client(), connection.taskQueue(), Clock.systemUTC());
    String id = starter.start(launch);
    if (!follow) {
      return printStarted(id);
    }
    PrintWriter live = announce(id, temporal);
    Finished<R> finished =
        follow(
            temporal.client(),
            id,
            resultType,
            new Follower(temporal.client(), live, root.screen(), Clock.systemUTC()));
    int exit = report.exitCode(finished);
    if (connection.json()) {
      Map<String, Object> json = json(finished, report, exit);
      if (finished.result() == null) {
        json.putAll(report.endJson(temporal.client(), finished.end()));
      }
      out.println(Json.write(json));
    } else if (finished.result() != null) {
      report.printText(finished, out);
    } else {
      report.printEnd(temporal.client(), finished.end(), out);
    }
    ConfigDrift.worker(finished.end())
        .flatMap(w -> ConfigDrift.note(w, config, launch.plan().target()))
        .ifPresent(live::println);
    return exit;
  }

  /**
   * For a run started and not followed: prints its ID and how to follow it.
   *
   * @return the exit code
   */
  int printStarted(String id) {
    out.println(connection.json() ? Json.write(Map.of("workflowId", id)) : id);
    err.println("Started. Follow it with: runbook watch " + id);
    ConfigDrift.unfollowed(connection.config(), id).ifPresent(err::println);
    return ExitCodes.DONE;
  }

  /**
   * For a run started and followed: says so where its live lines go, and returns that writer. JSON
   * goes to stdout in one piece; the live lines go to stderr then.
   */
  PrintWriter announce(String id, TemporalConnection temporal) {
    PrintWriter live = connection.json() ? err : out;
    live.println("Started " + id + " on " + temporal.address());
    return live;
  }

  /** Follows a started run to its end and fetches its result when it completed. */
  static <R> Finished<R> follow(
      WorkflowClient client, String workflowId, Class<R> resultType, Follower follower)
      throws InterruptedException {
    RunState end = follower.follow(workflowId);
    R result = null;
    if (end.status().equals("COMPLETED")) {
      result = client.newUntypedWorkflowStub(workflowId).getResult(resultType);
    }
    return new Finished<>(end, result);
  }

  /** The run's end and, when it completed, the result's fields. */
  static <R> Map<String, Object> json(Finished<R> finished, Report<R> report, int exitCode) {
    RunState end = finished.end();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("workflowId", end.workflowId());
    json.put("target", end.target());
    json.put("outcome", end.outcome());
    json.put("exitCode", exitCode);
    json.put("outcomeDetail", end.progress() == null ? null : end.progress().outcomeDetail());
    json.put("steps", end.progress() == null ? List.of() : end.progress().steps());
    if (finished.result() != null) {
      json.putAll(report.json(finished.result()));
    }
    return json;
  }
}
