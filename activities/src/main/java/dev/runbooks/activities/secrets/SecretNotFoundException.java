package dev.runbooks.activities.secrets;

/** The secret, or the version of it that was asked for, does not exist. */
public class SecretNotFoundException extends SecretStoreException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final Integer version;

  /**
   * @param version the version asked for, or null when the path itself is missing
   */
  public SecretNotFoundException(String path, Integer version, String message) {
    super(message);
    this.path = path;
    this.version = version;
  }

  public String path() {
    return path;
  }

  /** The version asked for, or null when the path itself is missing. */
  public Integer version() {
    return version;
  }
}
