package dev.runbooks.activities.secrets;

/**
 * A check-and-set write expected one current version and found another: someone else wrote the
 * secret in between, or it already exists when it was expected not to.
 */
public class SecretConflictException extends SecretStoreException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final int expected;
  private final int actual;

  public SecretConflictException(String path, int expected, int actual) {
    super(
        "secret "
            + path
            + ": check-and-set expected "
            + (expected == 0 ? "the secret not to exist" : "version " + expected + " to be current")
            + ", but "
            + (actual == 0 ? "it does not exist" : "version " + actual + " is current")
            + "; another writer got there first. Fix: read the secret again, and write with"
            + " check-and-set "
            + actual
            + " if your value should still replace it.");
    this.path = path;
    this.expected = expected;
    this.actual = actual;
  }

  public String path() {
    return path;
  }

  /** The version the writer expected to be current; 0 for "must not exist". */
  public int expected() {
    return expected;
  }

  /** The version that was current; 0 when the secret did not exist. */
  public int actual() {
    return actual;
  }
}
