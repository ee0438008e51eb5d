package dev.runbooks.cli;

/**
 * An {@code --embedded} run of a mutating runbook on a production target was refused because the
 * configured Temporal, where the target's lock lives, could not be asked: exit code 4.
 */
final class UnguardedTargetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UnguardedTargetException(String requested, String target, String problem, Throwable cause) {
    super(
        "target "
            + target
            + " is marked production: true and the configured Temporal cannot be asked who holds"
            + " its lock ("
            + problem
            + "), so "
            + requested
            + " was not started with --embedded: a run on the in-memory Temporal of this process"
            + " cannot see the lock runs on that cluster hold, and could change the target beside"
            + " one of them. Start that Temporal, or point --temporal / TEMPORAL_ADDRESS at the one"
            + " your workers use, then run again (with or without --embedded); or set production:"
            + " false on the target if no other run ever changes it.",
        cause);
  }
}
