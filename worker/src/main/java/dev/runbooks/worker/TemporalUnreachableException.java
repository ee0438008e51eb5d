package dev.runbooks.worker;

/** Temporal did not answer at the address tried. The CLI exits with code 4. */
public final class TemporalUnreachableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String address;

  /**
   * @param why what happened, e.g. "nothing listens there (connection refused)"
   * @param fix what the operator can do about it
   */
  public TemporalUnreachableException(
      String address, String namespace, String why, String fix, Throwable cause) {
    super(
        "Temporal is unreachable at "
            + address
            + " (namespace "
            + namespace
            + "): "
            + why
            + ". "
            + fix,
        cause);
    this.address = address;
  }

  public String address() {
    return address;
  }
}
