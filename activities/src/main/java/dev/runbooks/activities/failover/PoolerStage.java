package dev.runbooks.activities.failover;

import dev.runbooks.activities.config.Endpoint;
import dev.runbooks.activities.config.PoolerConfig;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.pgtools.PgBouncerConsole;
import dev.runbooks.pgtools.PgToolsException;
import dev.runbooks.workflows.failover.PoolerInput;
import dev.runbooks.workflows.failover.PoolerState;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switchover's pooler: PAUSE on the target's PgBouncer before fencing, its {@code [databases]}
 * pointed at the new primary (ini file rewritten, RELOAD), then RESUME. Each call can run twice:
 * already paused, already pointing at the new primary and not paused are all done.
 */
final class PoolerStage {
  private static final Logger log = LoggerFactory.getLogger(PoolerStage.class);
  private static final String ALREADY_PAUSED = "already suspended/paused";
  private static final String NOT_PAUSED = "not paused/suspended";

  private final FailoverTargets targets;
  private final SecretStore secrets;
  private final Optional<PgBinaries> binaries;
  private final Duration pauseTimeout;

  /**
   * @param pauseTimeout how long PAUSE may wait for the transactions running through the pooler
   */
  PoolerStage(
      FailoverTargets targets,
      SecretStore secrets,
      Optional<PgBinaries> binaries,
      Duration pauseTimeout) {
    this.targets = targets;
    this.secrets = secrets;
    this.binaries = binaries;
    this.pauseTimeout = pauseTimeout;
  }

  PoolerState pause(PoolerInput input) {
    PoolerConfig pooler = config(input.target());
    PgBouncerConsole console = console(pooler);
    PgBouncerConsole.Reply reply;
    try {
      reply = console.run("PAUSE");
    } catch (PgToolsException e) {
      // A PAUSE that did not finish may still be pending in PgBouncer: undo it before failing.
      resumeQuietly(console);
      throw new IllegalStateException(
          "PgBouncer at "
              + pooler.address()
              + " did not PAUSE: "
              + e.getMessage()
              + ". Check that it runs and that "
              + user(pooler)
              + " is in its admin_users; a transaction that runs longer than "
              + pauseTimeout.toSeconds()
              + " s through it also stops PAUSE.");
    }
    if (!reply.ok() && !reply.error().contains(ALREADY_PAUSED)) {
      throw FailureType.PERMISSION_DENIED.failure(
          "PgBouncer at "
              + pooler.address()
              + " refused PAUSE: "
              + reply.error()
              + ". Make "
              + user(pooler)
              + " one of its admin_users (pgbouncer.ini), then run the switchover again.");
    }
    log.info("PgBouncer {} paused", pooler.address());
    return new PoolerState(pooler.address(), true, List.of(), "PgBouncer paused");
  }

  PoolerState repoint(PoolerInput input) {
    PoolerConfig pooler = config(input.target());
    Endpoint from = targets.endpoint(input.target(), input.from());
    Endpoint to = targets.endpoint(input.target(), input.to());
    Path ini = pooler.ini();
    PoolerIni.Rewrite rewrite;
    try {
      rewrite =
          PoolerIni.rewrite(
              Files.readString(ini, StandardCharsets.UTF_8),
              from.host(),
              from.port(),
              to.host(),
              to.port());
      if (!rewrite.changed().isEmpty()) {
        Files.writeString(ini, rewrite.text(), StandardCharsets.UTF_8); // in place: keeps owner
      }
    } catch (IOException e) {
      throw FailureType.PERMISSION_DENIED.failure(
          "could not rewrite PgBouncer's "
              + ini
              + ": "
              + e
              + ". The worker must run on PgBouncer's host and be able to write that file; point"
              + " its [databases] at "
              + to.address()
              + " by hand, then RELOAD and RESUME ("
              + PoolerState.manualResume(pooler.address())
              + ").");
    }
    if (rewrite.changed().isEmpty() && rewrite.already().isEmpty()) {
      throw FailureType.BAD_INPUT.failure(
          ini
              + " has no [databases] entry with host="
              + from.host()
              + " port="
              + from.port()
              + " (the old primary) or "
              + to.address()
              + " (the new one): nothing to repoint. Point its entries at "
              + to.address()
              + " by hand and RESUME ("
              + PoolerState.manualResume(pooler.address())
              + "), and fix targets."
              + input.target()
              + ".failover.pooler.ini.");
    }
    PgBouncerConsole.Reply reload = reachable(pooler, "RELOAD", to);
    if (!reload.ok()) {
      throw FailureType.SQL_ERROR.failure(
          "PgBouncer at " + pooler.address() + " refused RELOAD: " + reload.error() + ".");
    }
    List<String> names = new ArrayList<>(rewrite.already());
    names.addAll(rewrite.changed());
    return new PoolerState(
        pooler.address(),
        true,
        names,
        String.join(", ", names) + " -> " + input.to() + " (" + to.address() + "), RELOAD");
  }

  PoolerState resume(PoolerInput input) {
    PoolerConfig pooler = config(input.target());
    PgBouncerConsole.Reply reply = reachable(pooler, "RESUME", null);
    if (!reply.ok() && !reply.error().contains(NOT_PAUSED)) {
      throw FailureType.SQL_ERROR.failure(
          "PgBouncer at "
              + pooler.address()
              + " refused RESUME: "
              + reply.error()
              + ". Run it by hand: "
              + PoolerState.manualResume(pooler.address())
              + ".");
    }
    log.info("PgBouncer {} resumed", pooler.address());
    return new PoolerState(pooler.address(), false, List.of(), "resumed");
  }

  /** Runs a command; a PgBouncer that does not answer is a retryable failure with the way out. */
  private PgBouncerConsole.Reply reachable(PoolerConfig pooler, String command, Endpoint to) {
    try {
      return console(pooler).run(command);
    } catch (PgToolsException e) {
      throw new IllegalStateException(
          "PgBouncer at "
              + pooler.address()
              + " does not answer "
              + command
              + ": "
              + e.getMessage()
              + ". It was paused by this switchover"
              + (to == null ? "" : ", and its ini file points at " + to.address() + " already")
              + ". If it runs, "
              + (to == null ? "" : "RELOAD and ")
              + "RESUME it by hand ("
              + PoolerState.manualResume(pooler.address())
              + "); if it stopped, start it: it starts unpaused, reading "
              + pooler.ini()
              + ".");
    }
  }

  private static void resumeQuietly(PgBouncerConsole console) {
    try {
      console.run("RESUME");
    } catch (PgToolsException e) {
      log.warn("RESUME after a failed PAUSE at {} failed: {}", console.address(), e.getMessage());
    }
  }

  private PoolerConfig config(String target) {
    PoolerConfig pooler = targets.settings(target).pooler();
    if (pooler == null) {
      throw FailureType.BAD_INPUT.failure(
          "target " + target + " has no failover.pooler; nothing to pause or resume.");
    }
    return pooler;
  }

  private static String user(PoolerConfig pooler) {
    return PoolerConsoles.user(pooler);
  }

  private PgBouncerConsole console(PoolerConfig pooler) {
    return PoolerConsoles.open(pooler, secrets, binaries, pauseTimeout);
  }
}
