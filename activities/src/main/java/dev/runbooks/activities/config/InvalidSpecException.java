package dev.runbooks.activities.config;

/**
 * A {@code repository}, {@code secrets} or {@code encryption} value of a known kind that is wrong
 * within that kind (an empty path, a bad bucket or key name): what is wrong and how to fix it, so
 * that the configuration can name the key and a caller with a spec of its own can say it its way.
 */
public final class InvalidSpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String problem;
  private final String fix;

  InvalidSpecException(String problem, String fix) {
    super(problem + "; " + fix);
    this.problem = problem;
    this.fix = fix;
  }

  /** What is wrong with the value. */
  public String problem() {
    return problem;
  }

  /** What to write instead. */
  public String fix() {
    return fix;
  }
}
