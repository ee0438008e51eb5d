package dev.runbooks.cli;

/**
 * The command was called wrong, or asked for something that cannot be done as asked: exit code 2.
 * The message says what was expected, what was found, and what to do instead.
 */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
